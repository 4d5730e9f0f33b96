package kc.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Division by constants through multiply-high: C's truncating quotient for every dividend tried, 32- and 64-bit. */
class ConstantDivisionTest {
    private static List<Long> divisors(int bits) {
        List<Long> ds = new ArrayList<>();
        for (long d = 2; d <= 1100; d++) ds.add(d);
        for (int k = 1; k < bits - 1; k++) { ds.add(1L << k); ds.add((1L << k) + 1); ds.add((1L << k) - 1); }
        ds.addAll(List.of(511L, 4095L, 65537L, 16773120L, 262144L, 1_000_003L, (long) Integer.MAX_VALUE));
        if (bits == 64) ds.addAll(List.of(Long.MAX_VALUE, 6_442_450_944L, 1L << 40, (1L << 40) + 7));
        return ds;
    }

    @Test void everyQuotientIsCsTruncatingDivision() {
        Random rnd = new Random(1);
        for (int bits : new int[] {32, 64}) {
            long min = bits == 32 ? Integer.MIN_VALUE : Long.MIN_VALUE, max = bits == 32 ? Integer.MAX_VALUE : Long.MAX_VALUE;
            for (long d : divisors(bits)) {
                if (d < 2 || d > max) continue;
                ConstantDivision c = ConstantDivision.of(d, bits);
                List<Long> xs = new ArrayList<>(List.of(0L, 1L, -1L, min, max, min + 1, max - 1, d, -d, d - 1, 1 - d, d + 1, -d - 1));
                for (int i = 0; i < 300; i++) xs.add(bits == 32 ? (long) rnd.nextInt() : rnd.nextLong());
                for (int i = 0; i < 100; i++) xs.add((long) rnd.nextInt(1 << 20) - (1 << 19));
                for (long x : xs)
                    if (x >= min && x <= max) assertEquals(x / d, c.quotient(x), bits + "-bit " + x + " / " + d + " with " + c);
            }
        }
    }
}
