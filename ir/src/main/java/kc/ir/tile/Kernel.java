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

    public long sharedBytes() { return shared.stream().mapToLong(SharedArray::bytes).sum(); }
}
