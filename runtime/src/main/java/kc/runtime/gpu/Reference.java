package kc.runtime.gpu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import kc.ir.interp.Npy;

/**
 * What the GPU verifier compares against: the model's weights and, per trial, inputs and expected outputs as .npy
 * files. PyTorch running the original module ({@link ReferenceServer}) is the strongest; kc's own float64
 * interpreter ({@link InterpreterReference}) is the second opinion when PyTorch is absent.
 */
public interface Reference extends AutoCloseable {
    /**
     * A tensor the reference produced: what it holds ({@code header}: dtype, shape) and where: a .npy file, or
     * device memory the reference shares by CUDA IPC ({@code ipcHandle} and the byte offset in that allocation).
     */
    record TensorData(Path file, Npy.Header header, byte[] ipcHandle, long ipcOffset) {
        public static TensorData file(Path file, Npy.Header header) { return new TensorData(file, header, null, 0); }

        public boolean shared() { return ipcHandle != null; }
    }

    /**
     * One trial's inputs and expected outputs. The inputs are get_inputs()'s tensors followed by the
     * {@code drawnInForward} random tensors forward drew (kc's graph takes those as extra inputs).
     */
    record Trial(String distribution, Path dir, List<TensorData> inputs, List<TensorData> outputs, int drawnInForward) {
        /** How many of the inputs get_inputs() gave. */
        public int givenInputs() { return inputs.size() - drawnInForward; }
    }

    /** The reference could not run the module, or stopped answering. */
    final class ReferenceException extends Exception {
        public ReferenceException(String message) { super(message, null, false, false); }
    }

    /** One line: which reference, which version, where it runs. */
    String describe();

    /** The state_dict, by key (ask before any trial: training-mode forwards update BatchNorm's running statistics). */
    Map<String, TensorData> params() throws IOException, ReferenceException;

    /** Trial t: seed+1+t, get_inputs() as written for even t, normal(0, 2) draws for odd t. */
    Trial trial(int t) throws IOException, ReferenceException;

    /** Trial t's inputs except get_inputs()'s tensor {@code input}, which is trial {@code from}'s draw. */
    Trial trialWithInputFrom(int t, int input, int from) throws IOException, ReferenceException;

    /**
     * The last trial's outputs computed in float64 (the model and its floating inputs converted, the same random
     * draws): the arbiter when kc's float32 result misses the reference's float32 one.
     */
    List<TensorData> float64Outputs() throws IOException, ReferenceException;

    /** Deletes a trial's files once read. */
    void discard(Trial trial) throws IOException;

    @Override void close() throws IOException;
}
