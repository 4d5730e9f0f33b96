package kc.runtime.gpu;

/** No usable NVIDIA GPU here (no driver, no device): the message is one line for the user. */
public final class NoGpuException extends Exception {
    public NoGpuException(String message) { super(message, null, false, false); }
}
