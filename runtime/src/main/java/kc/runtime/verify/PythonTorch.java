package kc.runtime.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a Python interpreter that can import torch: the one given, else python3 on PATH, else the system's
 * /usr/bin/python3 (where Debian's python3-torch lives), else /usr/local/bin/python3. The check looks for the
 * torch package without importing it, so it costs milliseconds, not seconds.
 */
public final class PythonTorch {
    private PythonTorch() {}

    private static final String PROBE =
            "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('torch') and importlib.util.find_spec('numpy') else 3)";

    public static Optional<Path> find(Path explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit != null) candidates.add(explicit);
        else {
            String path = System.getenv("PATH");
            if (path != null)
                for (String dir : path.split(java.io.File.pathSeparator))
                    if (!dir.isEmpty()) candidates.add(Path.of(dir, "python3"));
            candidates.add(Path.of("/usr/bin/python3"));
            candidates.add(Path.of("/usr/local/bin/python3"));
        }
        for (Path p : candidates) if (Files.isExecutable(p) && hasTorch(p)) return Optional.of(p);
        return Optional.empty();
    }

    private static boolean hasTorch(Path python) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", PROBE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) { p.destroyForcibly(); return false; }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
