package kc.frontend.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.Json;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The op cases of opcases.txt: each traces and runs through kc (always); with
 * the recorded PyTorch run (or {@code -Dkc.xops.results=FILE} written by xops.py under real PyTorch) kc's outputs
 * are compared with PyTorch's summaries (shape, dtype, sums, sampled elements), weights and inputs filled by the shared formula.
 */
class TorchOpsCrossCheckTest {
    static final String TEMPLATE = """
            import torch
            import torch.nn as nn
            import torch.nn.functional as F
            import math
            class Model(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.m = %s
                def forward(self, %s):
                    return %s
            def get_inputs():
                return [%s]
            def get_init_inputs():
                return []
            """;

    static List<String> cases() throws IOException {
        try (InputStream in = TorchOpsCrossCheckTest.class.getResourceAsStream("opcases.txt")) {
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) out.add(line.strip());
            }
            return out;
        }
    }

    static LoadedModel load(String line) {
        String[] parts = line.split(";;");
        Object[] p = new Object[4];
        for (int i = 0; i < 4; i++) p[i] = parts[i].strip();
        return Frontend.load("case.py", TEMPLATE.formatted(p), Map.of());
    }

    /** Runs with the shared formula's weights and inputs. */
    static List<List<HostTensor>> run(LoadedModel m) {
        Map<String, Integer> salt = new LinkedHashMap<>();
        for (int k = 0; k < m.stateDict().size(); k++) salt.put(m.stateDict().get(k).key(), k);
        Map<String, HostTensor> params = new LinkedHashMap<>();
        for (Value p : m.graph().params())
            params.put(p.name(), p.type().dtype().isFloat() ? TorchCrossCheckTest.fill(p.type(), 1000 + salt.get(p.name()), "param") : HostTensor.zeros(p.type()));
        List<List<HostTensor>> trials = new ArrayList<>();
        for (int trial = 0; trial < 2; trial++) {
            List<HostTensor> inputs = new ArrayList<>();
            for (int i = 0; i < m.graph().inputs().size(); i++) inputs.add(TorchCrossCheckTest.fill(m.graph().inputs().get(i).type(), 10 + i, "input" + trial));
            trials.add(Interpreter.run(m.graph(), inputs, params));
        }
        return trials;
    }

    @Test
    void everyCaseTracesAndRuns() throws IOException {
        List<String> failures = new ArrayList<>();
        for (String c : cases()) {
            try {
                run(load(c));
            } catch (CompileError e) {
                failures.add(e.format() + "  <- " + c);
            } catch (RuntimeException e) {
                failures.add("INTERNAL " + e + "  <- " + c);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    @SuppressWarnings("unchecked")
    void agreesWithPyTorch() throws IOException {
        // PyTorch's summaries: a fresh xops.py run (-Dkc.xops.results=FILE) or the recorded one (torch 2.11).
        String results = System.getProperty("kc.xops.results");
        String text;
        if (results != null) text = Files.readString(Path.of(results));
        else try (InputStream in = new java.util.zip.GZIPInputStream(TorchOpsCrossCheckTest.class.getResourceAsStream("xops-torch-2.11.json.gz"))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Object> all = (List<Object>) Json.parse(text);
        List<String> current = cases();
        List<String> failures = new ArrayList<>();
        int pass = 0;
        for (Object o : all) {
            Map<String, Object> r = (Map<String, Object>) o;
            String c = (String) r.get("case");
            if (!current.contains(c)) continue; // a case edited since the reference run
            if (r.containsKey("error")) { failures.add("PyTorch failed: " + r.get("error") + "  <- " + c); continue; }
            try {
                LoadedModel m = load(c);
                List<String> keys = (List<String>) (List<?>) r.get("keys");
                if (!keys.equals(m.stateDictKeys())) { failures.add("state_dict keys torch " + keys + " kc " + m.stateDictKeys() + "  <- " + c); continue; }
                List<List<HostTensor>> outs = run(m);
                List<Object> trials = (List<Object>) r.get("trials");
                String problem = null;
                for (int t = 0; t < trials.size() && problem == null; t++) {
                    List<Object> expected = (List<Object>) trials.get(t);
                    if (expected.size() != outs.get(t).size()) { problem = "torch returns " + expected.size() + " outputs, kc " + outs.get(t).size(); break; }
                    for (int k = 0; k < expected.size() && problem == null; k++) {
                        String p = TorchCrossCheckTest.compareOutput(outs.get(t).get(k), (Map<String, Object>) expected.get(k));
                        if (p != null) problem = "trial " + t + " output " + k + ": " + p;
                    }
                }
                if (problem == null) pass++;
                else failures.add(problem + "  <- " + c);
            } catch (CompileError e) {
                failures.add(e.format() + "  <- " + c);
            }
        }
        System.out.println("XOPS: " + pass + " agree, " + failures.size() + " differ");
        failures.forEach(f -> System.out.println("XOPS FAIL " + f));
        assertEquals(0, failures.size(), String.join("\n", failures));
    }
}
