package kc.ir.graph;

/** Element types of Graph IR tensors. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), BOOL(1);

    public final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    public boolean isFloat() { return this == F64 || this == F32 || this == F16 || this == BF16; }

    /** PyTorch's name, e.g. {@code torch.float32}. */
    public String torchName() {
        return switch (this) {
            case F64 -> "float64"; case F32 -> "float32"; case F16 -> "float16"; case BF16 -> "bfloat16";
            case I64 -> "int64"; case I32 -> "int32"; case BOOL -> "bool";
        };
    }

    /** The dtype PyTorch calls {@code name} (without "torch."), or null when kc has none. */
    public static DType fromTorchName(String name) {
        for (DType d : values()) if (d.torchName().equals(name)) return d;
        return null;
    }
}
