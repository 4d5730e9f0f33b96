package kc.runtime.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kc.ir.interp.HostTensor;
import kc.ir.interp.Npy;

/**
 * Runs a module file under real PyTorch (kc's torch_reference.py harness) and loads what it wrote: the
 * state_dict (PyTorch's seeded initialisation is authoritative) and, per trial, the inputs and outputs.
 */
public final class TorchReference {

    /**
     * One trial: the inputs PyTorch drew and the outputs its forward produced, in float32 as written and in float64
     * (the same model converted with .double(); empty when the module cannot run in float64).
     */
    public record Trial(String distribution, List<HostTensor> inputs, List<HostTensor> outputs, List<HostTensor> outputs64) {}

    /** A whole reference run. */
    public record Run(String torchVersion, Map<String, HostTensor> params, List<Trial> trials) {}

    /** PyTorch could not run the module (the message is the harness's one-line report). */
    public static final class ReferenceFailure extends Exception {
        public ReferenceFailure(String message) { super(message, null, false, false); }
    }

    private TorchReference() {}

    /** One problem of a batch run: the module, its -D overrides and the folder its results go to. */
    public record Job(Path file, Map<String, String> defines, Path out) {}

    /** Runs one module under PyTorch, writing into workDir. */
    public static Run run(Path python, Path moduleFile, Map<String, String> defines, int trials, int seed,
                          Path workDir, long timeoutSeconds) throws ReferenceFailure, IOException {
        return run(python, moduleFile, defines, kc.frontend.ModelEntry.CONVENTION, trials, seed, workDir, timeoutSeconds);
    }

    /** The same, with the model and inputs named by --entry and --inputs where {@code entry} gives them. */
    public static Run run(Path python, Path moduleFile, Map<String, String> defines, kc.frontend.ModelEntry entry, int trials, int seed,
                          Path workDir, long timeoutSeconds) throws ReferenceFailure, IOException {
        Path out = workDir.resolve("reference");
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script(workDir).toString(),
                "--file", moduleFile.toAbsolutePath().toString(), "--out", out.toString(),
                "--trials", Integer.toString(trials), "--seed", Integer.toString(seed)));
        defines.forEach((k, v) -> { cmd.add("--define"); cmd.add(k + "=" + v); });
        if (entry.entry() != null) { cmd.add("--entry"); cmd.add(entry.entry()); }
        if (entry.inputs() != null) { cmd.add("--inputs"); cmd.add(entry.inputs()); }
        for (String folder : entry.path()) { cmd.add("--path"); cmd.add(Path.of(folder).toAbsolutePath().toString()); }
        execute(cmd, workDir, timeoutSeconds);
        return load(out);
    }

    /**
     * Runs many modules in one Python process (importing torch once costs seconds). Each job's results are read
     * back with {@link #loadJob}; a job PyTorch could not run leaves its reason there instead.
     */
    public static void runJobs(Path python, List<Job> jobs, int trials, int seed, Path workDir, long timeoutSeconds)
            throws ReferenceFailure, IOException {
        StringBuilder lines = new StringBuilder();
        for (Job j : jobs) {
            lines.append("{\"file\": ").append(quote(j.file().toAbsolutePath().toString()))
                 .append(", \"out\": ").append(quote(j.out().toAbsolutePath().toString())).append(", \"defines\": {");
            String sep = "";
            for (var d : j.defines().entrySet()) {
                lines.append(sep).append(quote(d.getKey())).append(": ").append(quote(d.getValue()));
                sep = ", ";
            }
            lines.append("}}\n");
        }
        Path jobsFile = workDir.resolve("jobs.jsonl");
        Files.writeString(jobsFile, lines, StandardCharsets.UTF_8);
        execute(List.of(python.toString(), script(workDir).toString(), "--jobs", jobsFile.toString(),
                "--trials", Integer.toString(trials), "--seed", Integer.toString(seed)), workDir, timeoutSeconds);
    }

    /** The results of one job of {@link #runJobs}. */
    public static Run loadJob(Job job) throws ReferenceFailure, IOException {
        Path error = job.out().resolve("error.txt");
        if (Files.exists(error)) throw new ReferenceFailure("PyTorch reference failed: " + Files.readString(error, StandardCharsets.UTF_8).strip());
        if (!Files.exists(job.out().resolve("manifest.json"))) throw new ReferenceFailure("PyTorch reference did not run");
        return load(job.out());
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static Path script(Path workDir) throws IOException {
        Path script = workDir.resolve("torch_reference.py");
        try (InputStream in = TorchReference.class.getResourceAsStream("/kc/runtime/torch_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    private static void execute(List<String> cmd, Path workDir, long timeoutSeconds) throws ReferenceFailure, IOException {
        Path log = workDir.resolve("torch_reference.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ReferenceFailure("PyTorch reference timed out after " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ReferenceFailure("interrupted");
        }
        if (p.exitValue() != 0) {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "exit status " + p.exitValue() : text.substring(text.lastIndexOf('\n') + 1);
            throw new ReferenceFailure("PyTorch reference failed: " + last.replaceFirst("^kc-reference: ", ""));
        }
    }

    /** Reads manifest.json; its structure is fixed by the harness, so a few patterns suffice. */
    static Run load(Path dir) throws IOException {
        String json = Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8);
        String version = match(json, "\"torch\": \"([^\"]*)\"");
        Map<String, HostTensor> params = new LinkedHashMap<>();
        int paramsStart = json.indexOf("\"params\": {"), trialsStart = json.indexOf("\"trials\": [");
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\": \\{\"file\": \"([^\"]+)\"").matcher(json.substring(paramsStart, trialsStart));
        while (m.find()) params.put(m.group(1), Npy.read(dir.resolve(m.group(2))));
        List<Trial> trials = new ArrayList<>();
        Matcher t = Pattern.compile("\\{\"distribution\": \"([^\"]*)\", \"inputs\": \\[(.*?)\\], \"outputs\": \\[(.*?)\\], \"outputs64\": \\[(.*?)\\]\\}")
                .matcher(json.substring(trialsStart));
        while (t.find()) trials.add(new Trial(t.group(1), files(dir, t.group(2)), files(dir, t.group(3)), files(dir, t.group(4))));
        return new Run(version, params, trials);
    }

    private static List<HostTensor> files(Path dir, String list) throws IOException {
        List<HostTensor> result = new ArrayList<>();
        Matcher m = Pattern.compile("\"file\": \"([^\"]+)\"").matcher(list);
        while (m.find()) result.add(Npy.read(dir.resolve(m.group(1))));
        return result;
    }

    private static String match(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : "";
    }
}
