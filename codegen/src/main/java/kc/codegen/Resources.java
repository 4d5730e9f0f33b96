package kc.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the per-target headers kept as resources under kc/codegen/. */
public final class Resources {
    private Resources() {}

    public static String text(String name) {
        try (InputStream in = Resources.class.getResourceAsStream("/kc/codegen/" + name)) {
            if (in == null) throw new IllegalStateException("missing resource kc/codegen/" + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
