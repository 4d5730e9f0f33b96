package kc.ir.tile;

/** The launch geometry of a kernel: grid in blocks, block in threads (x fastest), both static. */
public record Launch(long gridX, long gridY, long gridZ, int blockX, int blockY, int blockZ) {
    public static Launch linear(long blocks, int threads) { return new Launch(blocks, 1, 1, threads, 1, 1); }
    public long blocks() { return gridX * gridY * gridZ; }
    public int threadsPerBlock() { return blockX * blockY * blockZ; }
}
