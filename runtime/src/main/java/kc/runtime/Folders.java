package kc.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Folders and files that kc's commands and runtimes write, never half-written, and temporary ones they clean up. */
public final class Folders {
    private Folders() {}

    /** Deletes dir and everything below it, best effort; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Writes a file through a temporary sibling and a rename: a reader sees the old text or the new, never a part. */
    public static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".kc-", ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Makes {@code dir} hold exactly {@code files} (name to text): written into a fresh sibling folder, then swapped
     * in with renames, so a failure leaves the old folder as it was.
     *
     * @throws NotDirectoryException when dir exists and is not a folder
     */
    public static void replaceAtomically(Path dir, Map<String, String> files) throws IOException {
        Path out = dir.toAbsolutePath().normalize();
        if (Files.exists(out) && !Files.isDirectory(out)) throw new NotDirectoryException(dir.toString());
        Path parent = Files.createDirectories(out.getParent());
        Path staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp");
        try { // a temporary folder is private; the result should look like any folder the user makes
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException notPosix) {
            // keep the platform's default
        }
        try {
            for (var f : files.entrySet()) {
                Path file = staging.resolve(f.getKey());
                Files.createDirectories(file.getParent()); // names may hold folders (a Java package)
                Files.writeString(file, f.getValue(), StandardCharsets.UTF_8);
            }
            if (Files.exists(out)) {
                Path old = Files.createTempDirectory(parent, "." + out.getFileName() + ".old");
                Files.delete(old);
                Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            if (Files.exists(staging)) deleteTree(staging);
        }
    }
}
