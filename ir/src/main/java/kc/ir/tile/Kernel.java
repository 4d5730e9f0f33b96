package kc.ir.tile;

import java.util.List;

/**
 * One GPU kernel: a program every thread of a grid of blocks runs, with its buffer parameters (in order), its
 * shared-memory arrays and its launch geometry. Target-neutral: CUDA C, PTX and Metal renderers print it.
 */
public record Kernel(String name, List<BufferParam> params, List<SharedArray> shared, Launch launch, List<TStmt> body) {
    public Kernel {
        params = List.copyOf(params);
        shared = List.copyOf(shared);
        body = List.copyOf(body);
    }

    /** Shared memory a kernel may declare statically: beyond it, CUDA needs the arrays in one dynamic allocation. */
    public static final long STATIC_SHARED_LIMIT = 48 * 1024;

    /** The shared arrays' bytes, each starting 16-byte aligned, in declaration order. */
    public long sharedBytes() {
        long end = 0;
        for (SharedArray s : shared) end = align16(end) + s.bytes();
        return align16(end);
    }

    /** Where shared array {@code name} starts within the kernel's shared memory (its dynamic allocation), in bytes. */
    public long sharedOffset(String name) {
        long at = 0;
        for (SharedArray s : shared) {
            at = align16(at);
            if (s.name().equals(name)) return at;
            at += s.bytes();
        }
        throw new IllegalArgumentException("kernel " + this.name + " has no shared array " + name);
    }

    /** Whether the kernel's shared arrays live in dynamic shared memory (more than {@link #STATIC_SHARED_LIMIT}). */
    public boolean dynamicShared() { return sharedBytes() > STATIC_SHARED_LIMIT; }

    private static long align16(long bytes) { return (bytes + 15) / 16 * 16; }
}
