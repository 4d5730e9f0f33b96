package kc.runtime.gpu;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import jcuda.Pointer;

/**
 * Brings a reference tensor into a device buffer: from a .npy file through memory-mapped chunks (a Java buffer
 * holds at most 2 GB), or device to device from memory the reference shares by CUDA IPC.
 */
final class TensorTransfer {
    private static final long CHUNK = 1L << 30;

    private TensorTransfer() {}

    /** Copies {@code tensor} into {@code target}, which must be exactly as large. */
    static void load(Reference.TensorData tensor, DeviceBuffer target, GpuDevice device) throws IOException {
        long bytes = tensor.header().dataBytes();
        if (bytes != target.bytes())
            throw new IOException("the reference's " + tensor.header().dtype() + tensor.header().shape() + " holds " + bytes
                    + " bytes, the buffer takes " + target.bytes());
        if (tensor.shared()) {
            device.copyFromIpc(tensor.ipcHandle(), tensor.ipcOffset(), target);
            return;
        }
        try (FileChannel ch = FileChannel.open(tensor.file(), StandardOpenOption.READ)) {
            for (long done = 0; done < bytes; done += CHUNK) {
                long n = Math.min(CHUNK, bytes - done);
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, tensor.header().dataOffset() + done, n);
                target.upload(Pointer.to(map), done, n);
            }
        }
    }
}
