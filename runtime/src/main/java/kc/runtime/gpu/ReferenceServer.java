package kc.runtime.gpu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kc.ir.graph.DType;
import kc.ir.graph.Json;
import kc.ir.graph.Shape;
import kc.ir.interp.Npy;
import kc.runtime.Folders;

/**
 * PyTorch running the original module on the same GPU, as the reference (kc's torch_reference.py in --serve mode):
 * the model is built once with the seed; each request draws one trial's inputs and runs forward, and the tensors
 * come back as .npy files in a RAM-backed folder (/dev/shm where there is one), deleted as soon as they are read.
 */
public final class ReferenceServer implements Reference {

    private final Process process;
    private final BufferedReader replies;
    private final Writer requests;
    private final Path dir;
    private final long timeoutSeconds;
    private final String torchVersion, deviceName;
    private final Path log;
    private boolean ipc;

    /** Starts the reference for {@code module} on device "cuda" (or "cpu"); waits until the model is built. */
    public static ReferenceServer start(Path python, Path module, Map<String, String> defines, int seed, String device,
                                        long timeoutSeconds) throws IOException, ReferenceException {
        return start(python, module, defines, kc.frontend.ModelEntry.CONVENTION, seed, device, timeoutSeconds);
    }

    /** The same, with the model and inputs named by --entry and --inputs where {@code entry} gives them. */
    public static ReferenceServer start(Path python, Path module, Map<String, String> defines, kc.frontend.ModelEntry entry, int seed,
                                        String device, long timeoutSeconds) throws IOException, ReferenceException {
        Path dir = Files.createTempDirectory(ramFolder(), "kc-reference");
        Path script = dir.resolve("torch_reference.py");
        try (InputStream in = ReferenceServer.class.getResourceAsStream("/kc/runtime/torch_reference.py")) {
            Files.write(script, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "--serve", "--device", device,
                "--file", module.toAbsolutePath().toString(), "--out", dir.toString(), "--seed", Integer.toString(seed)));
        defines.forEach((k, v) -> { cmd.add("--define"); cmd.add(k + "=" + v); });
        if (entry.entry() != null) { cmd.add("--entry"); cmd.add(entry.entry()); }
        if (entry.inputs() != null) { cmd.add("--inputs"); cmd.add(entry.inputs()); }
        for (String folder : entry.path()) { cmd.add("--path"); cmd.add(Path.of(folder).toAbsolutePath().toString()); }
        Path log = dir.resolve("reference.log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new ReferenceServer(p, dir, log, timeoutSeconds);
    }

    private ReferenceServer(Process process, Path dir, Path log, long timeoutSeconds) throws IOException, ReferenceException {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.timeoutSeconds = timeoutSeconds;
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Map<String, Object> hello = reply();
        this.torchVersion = String.valueOf(hello.get("torch"));
        this.deviceName = String.valueOf(hello.get("device"));
    }

    /** A folder in memory when the system has one with room: full-size tensors are gigabytes. */
    static Path ramFolder() {
        Path shm = Path.of("/dev/shm");
        try {
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > (8L << 30)) return shm;
        } catch (IOException ignored) {
            // fall back to the temp folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override public String describe() {
        return "PyTorch " + torchVersion + " on " + deviceName + " (TF32 off; tensors " + (ipc ? "shared by CUDA IPC" : "through .npy files in " + dir.getParent()) + ")";
    }

    @Override public Map<String, TensorData> params() throws IOException, ReferenceException {
        Map<String, Object> r = request("{\"op\": \"params\"}");
        Map<String, TensorData> params = new LinkedHashMap<>();
        @SuppressWarnings("unchecked") Map<String, Object> entries = (Map<String, Object>) r.get("params");
        for (var e : entries.entrySet()) params.put(e.getKey(), tensor(e.getValue()));
        return params;
    }

    @Override public Trial trial(int t) throws IOException, ReferenceException {
        return trial(request("{\"op\": \"trial\", \"trial\": " + t + "}"));
    }

    @Override public Trial trialWithInputFrom(int t, int input, int from) throws IOException, ReferenceException {
        return trial(request("{\"op\": \"trial\", \"trial\": " + t + ", \"swap_input\": " + input + ", \"swap_from\": " + from + "}"));
    }

    @Override public List<TensorData> float64Outputs() throws IOException, ReferenceException {
        List<TensorData> outputs = new ArrayList<>();
        for (Object o : (List<?>) request("{\"op\": \"float64\"}").get("outputs")) outputs.add(tensor(o));
        return outputs;
    }

    @Override public void discard(Trial trial) throws IOException { Folders.deleteTree(trial.dir()); }

    private Trial trial(Map<String, Object> r) throws IOException {
        List<TensorData> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (Object o : (List<?>) r.get("inputs")) inputs.add(tensor(o));
        for (Object o : (List<?>) r.get("outputs")) outputs.add(tensor(o));
        return new Trial(String.valueOf(r.get("distribution")), dir.resolve(String.valueOf(r.get("dir"))), inputs, outputs,
                ((Number) r.get("drawn_in_forward")).intValue());
    }

    private TensorData tensor(Object entry) throws IOException {
        Map<?, ?> m = (Map<?, ?>) entry;
        if (m.get("ipc") instanceof String handle) {
            List<?> dims = (List<?>) m.get("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = ((Number) dims.get(i)).longValue();
            DType dtype = DType.fromTorchName(String.valueOf(m.get("dtype")));
            if (dtype == null) throw new IOException("the reference shared a " + m.get("dtype") + " tensor");
            return new TensorData(null, new Npy.Header(dtype, Shape.of(shape), 0), HexFormat.of().parseHex(handle),
                    ((Number) m.get("offset")).longValue());
        }
        Path file = dir.resolve(String.valueOf(m.get("file")));
        return TensorData.file(file, Npy.header(file));
    }

    /**
     * Asks the reference to share tensors by CUDA IPC from now on, and keeps that only if this process can map
     * and read back the probe the reference shares (else .npy files, as before). Returns whether IPC is on.
     */
    public boolean useIpc(GpuDevice device) throws IOException, ReferenceException {
        Map<String, Object> r = request("{\"op\": \"transport\", \"mode\": \"ipc\"}");
        if ("ipc".equals(r.get("mode")) && r.get("probe") != null) {
            TensorData probe = tensor(r.get("probe"));
            try (DeviceBuffer copy = device.allocate(probe.header().dataBytes())) {
                TensorTransfer.load(probe, copy, device);
                float[] values = new float[256];
                copy.download(jcuda.Pointer.to(values), 0, 1024);
                boolean ok = true;
                for (int i = 0; i < values.length; i++) ok &= values[i] == i;
                if (ok) {
                    ipc = true;
                    return true;
                }
            } catch (GpuException | jcuda.CudaException e) {
                // this driver, container or PyTorch build does not share device memory: files it is
            }
        }
        request("{\"op\": \"transport\", \"mode\": \"files\"}");
        return false;
    }

    private Map<String, Object> request(String json) throws IOException, ReferenceException {
        try {
            requests.write(json + "\n");
            requests.flush();
        } catch (IOException e) {
            throw new ReferenceException("PyTorch reference exited: " + lastLogLine());
        }
        Map<String, Object> r = reply();
        if (r.containsKey("error")) throw new ReferenceException("PyTorch reference failed: " + r.get("error"));
        return r;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> reply() throws IOException, ReferenceException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return replies.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String text;
        try {
            text = line.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new ReferenceException("PyTorch reference timed out after " + timeoutSeconds + " s");
        } catch (InterruptedException | ExecutionException e) {
            process.destroyForcibly();
            throw new ReferenceException("PyTorch reference interrupted");
        }
        if (text == null) throw new ReferenceException("PyTorch reference failed: " + lastLogLine());
        return (Map<String, Object>) Json.parse(text);
    }

    private String lastLogLine() {
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "exit status " + (process.isAlive() ? "?" : process.exitValue()) : text.substring(text.lastIndexOf('\n') + 1);
            return last.replaceFirst("^kc-reference: ", "");
        } catch (IOException | InterruptedException e) {
            return "no output";
        }
    }

    @Override public void close() throws IOException {
        try {
            requests.write("{\"op\": \"quit\"}\n");
            requests.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Folders.deleteTree(dir);
    }
}
