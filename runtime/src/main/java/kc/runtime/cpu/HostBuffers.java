package kc.runtime.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.TensorType;
import kc.ir.interp.HostTensor;

/** Raw little-endian buffer contents, as kernels see them, to and from kc's host tensors. */
final class HostBuffers {
    private HostBuffers() {}

    static byte[] encode(DType dtype, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat((float) v);
                case F16 -> b.putShort(Float.floatToFloat16((float) v));
                case BF16 -> b.putShort(bf16Bits((float) v));
                case I64 -> b.putLong((long) v);
                case I32 -> b.putInt((int) (long) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
        return b.array();
    }

    static byte[] encode(DType dtype, List<Double> values) {
        double[] d = new double[values.size()];
        for (int i = 0; i < d.length; i++) d[i] = values.get(i);
        return encode(dtype, d);
    }

    static HostTensor decode(TensorType type, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] d = new double[(int) type.shape().numel()];
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (type.dtype()) {
                case F64 -> b.getDouble();
                case F32 -> b.getFloat();
                case F16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case I64 -> b.getLong();
                case I32 -> b.getInt();
                case BOOL -> b.get() != 0 ? 1 : 0;
            };
        }
        return HostTensor.of(type, d);
    }

    /** f32 to bf16 bits, rounding to nearest even (NaN stays NaN). */
    static short bf16Bits(float f) {
        int u = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((u >>> 16) | 0x40);
        u += 0x7fff + ((u >>> 16) & 1);
        return (short) (u >>> 16);
    }
}
