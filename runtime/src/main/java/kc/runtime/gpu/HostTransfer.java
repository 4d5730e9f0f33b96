package kc.runtime.gpu;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import jcuda.Pointer;
import kc.ir.interp.Npy;

/** Moves .npy payloads to the device through memory-mapped chunks (a Java buffer holds at most 2 GB). */
final class HostTransfer {
    private static final long CHUNK = 1L << 30;

    private HostTransfer() {}

    /** Uploads the data of a .npy file (described by its header) into {@code target}, which must be as large. */
    static void upload(Path file, Npy.Header header, DeviceBuffer target) throws IOException {
        long bytes = header.dataBytes();
        if (bytes != target.bytes())
            throw new IOException(file + " holds " + bytes + " bytes, the buffer takes " + target.bytes());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long done = 0; done < bytes; done += CHUNK) {
                long n = Math.min(CHUNK, bytes - done);
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, header.dataOffset() + done, n);
                target.upload(Pointer.to(map), done, n);
            }
        }
    }
}
