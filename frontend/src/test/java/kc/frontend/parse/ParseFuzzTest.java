package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import kc.frontend.CompileError;
import org.junit.jupiter.api.Test;

/**
 * Property: for any text, parse either succeeds or throws a CompileError whose position lies inside the text;
 * never another exception, never output on stderr. Inputs are valid modules (written for this test) under
 * thousands of seeded random mutations.
 */
class ParseFuzzTest {
    static final String CONV_MODEL = """
            import torch
            import torch.nn as nn
            import torch.nn.functional as F


            class Model(nn.Module):
                \"\"\"A convolution, an activation and a pooling layer.\"\"\"

                def __init__(self, in_channels: int, out_channels: int, kernel_size=3, *, eps=1e-5):
                    super(Model, self).__init__()
                    self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
                    self.scale = nn.Parameter(torch.ones(out_channels, 1, 1) * 0.5)
                    self.eps = eps

                def forward(self, x):
                    x = self.conv(x)
                    x = F.relu(x) + self.scale ** 2  # elementwise
                    x = x[:, :, ::2, 1:-1]
                    if x.dim() == 4 and not self.training:
                        x = torch.mean(x, dim=[2, 3], keepdim=True)
                    elif x.dim() > 4:
                        raise ValueError(f"bad rank {x.dim()!r:>3}")
                    else:
                        pass
                    return x / (x.norm(p=2) + self.eps)


            batch_size = 16
            in_channels, out_channels = 3, 8
            height = width = 32


            def get_inputs():
                return [torch.randn(batch_size, in_channels, height, width)]


            def get_init_inputs():
                return [in_channels, out_channels]
            """;

    static final String ATTENTION = """
            import math
            from typing import Optional, Tuple
            import torch
            from torch import nn


            class Attention(nn.Module):
                def __init__(self, d_model, n_heads, dropout=0.0, bias=True):
                    super().__init__()
                    assert d_model % n_heads == 0, "d_model must divide"
                    self.h, self.d = n_heads, d_model // n_heads
                    self.qkv = nn.Linear(d_model, 3 * d_model, bias=bias)
                    self.register_buffer("mask", torch.tril(torch.ones(8, 8)).view(1, 1, 8, 8))

                def forward(self, x: torch.Tensor, cache: Optional[Tuple] = None) -> torch.Tensor:
                    B, T, C = x.size()
                    q, k, v = self.qkv(x).split(C, dim=2)
                    q, k, v = [t.view(B, T, self.h, self.d).transpose(1, 2) for t in (q, k, v)]
                    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
                    att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float('-inf'))
                    att = torch.softmax(att, dim=-1)
                    y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
                    return y


            Model = Attention
            shapes = {"x": (2, 8, 64), 'scale': 1 / 8, **{}}
            def get_inputs(): return [torch.randn(*shapes["x"])]
            def get_init_inputs(): return [64, 4]
            """;

    static final String CONTROL_FLOW = """
            import torch.nn as nn
            from functools import reduce as fold, partial

            @torch.no_grad()
            def stats(xs, *args, key=lambda v: -v ** 2, **kwargs):
                total = 0
                for i, x in enumerate(xs):
                    if i % 2: continue
                    while total < 10:
                        total += x; total -= 1
                        break
                    else:
                        total = total if total else None
                try:
                    y = {k: v for k, v in kwargs.items() if v is not None}
                except (KeyError, ValueError) as err:
                    raise RuntimeError("failed") from err
                else:
                    y = {*args}
                finally:
                    del total
                with open("f") as fh, open('g') as gh:
                    data = b'\\x00' rb"\\d"
                    text = '''multi
            line''' + r'raw\\n'
                global counter
                gen = (a * b for a in range(3) for b in range(a) if a != b)
                return [n for n in gen], (lambda: (yield_ := 1))(), ...


            class Block(nn.Module, metaclass=type):
                layers: list = []
                def forward(self, x):
                    for layer in self.layers:
                        x = layer(x) \\
                            + x
                    return x[..., None, 0] @ x.mT
            """;

    static final List<String> SEEDS_TEXTS = List.of(CONV_MODEL, ATTENTION, CONTROL_FLOW);
    static final Pattern TOKEN = Pattern.compile("\\s+|\\w+|\"\"\"|'''|\\*\\*|//|[^\\s\\w]");
    static final String[] INSERTS = {"(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "\n", "\t", " ", "    ", "\r",
            "\\", "'", "\"", "\"\"\"", "#", "@", "*", "**", "-", "if", "else", "def", "lambda", "yield", "f'{", "}'",
            "\0", "é", "€", "\uD83D\uDE00", "\u00a0", "$", "!", "0x", "1e", "0777", "b'é'", "\\N{", "{{", ":="};

    @Test
    void everyMutationParsesOrFailsWithAPositionedCompileError() {
        PrintStream realErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int ok = 0, errors = 0, runs = 0;
        try {
            for (String text : SEEDS_TEXTS) {
                PythonSource.parse("seed.py", text);   // the seeds themselves are valid
                for (int seed = 0; seed < 800; seed++) {
                    Random rnd = new Random(seed * 31L + text.length());
                    String mutated = text;
                    int rounds = 1 + rnd.nextInt(3);
                    for (int r = 0; r < rounds; r++) mutated = mutate(mutated, rnd);
                    runs++;
                    if (check(mutated)) ok++; else errors++;
                }
            }
        } finally {
            System.setErr(realErr);
        }
        assertEquals("", captured.toString(), "nothing may be printed on stderr");
        // The mutations must exercise both outcomes, or the test checks little.
        assertTrue(ok > runs / 20 && errors > runs / 4, "ok=" + ok + " errors=" + errors + " of " + runs);
    }

    /** Parses; true when it succeeded, false on a well-formed CompileError; fails the test otherwise. */
    static boolean check(String text) {
        try {
            PythonSource.parse("fuzz.py", text);
            return true;
        } catch (CompileError e) {
            String[] lines = PythonSource.normalize(text).split("\n", -1);
            int lineCount = Math.max(1, text.isEmpty() ? 1 : (PythonSource.normalize(text).endsWith("\n") ? lines.length - 1 : lines.length));
            if (e.line() < 1 || e.line() > lineCount) fail("line out of range in " + e.format() + " for:\n" + text);
            String line = lines[e.line() - 1];
            int width = line.codePointCount(0, line.length());
            if (e.column() < 1 || e.column() > width + 1) fail("column out of range in " + e.format() + " for:\n" + text);
            if (e.getMessage() == null || e.getMessage().isBlank()) fail("empty message for:\n" + text);
            return false;
        } catch (Throwable t) {
            throw new AssertionError("not a CompileError for:\n" + text, t);
        }
    }

    static String mutate(String text, Random rnd) {
        if (text.isEmpty()) return INSERTS[rnd.nextInt(INSERTS.length)];
        int at = rnd.nextInt(text.length());
        switch (rnd.nextInt(10)) {
            case 0: // delete a character
                return text.substring(0, at) + text.substring(at + 1);
            case 1: // insert a character or snippet
                return text.substring(0, at) + INSERTS[rnd.nextInt(INSERTS.length)] + text.substring(at);
            case 2: { // duplicate a span
                int end = Math.min(text.length(), at + 1 + rnd.nextInt(20));
                return text.substring(0, end) + text.substring(at, end) + text.substring(end);
            }
            case 3: { // swap two characters
                int other = rnd.nextInt(text.length());
                char[] cs = text.toCharArray();
                char c = cs[at];
                cs[at] = cs[other];
                cs[other] = c;
                return new String(cs);
            }
            case 4: // truncate
                return text.substring(0, at);
            case 5: { // shuffle a few lines
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int i = rnd.nextInt(lines.size()), j = rnd.nextInt(lines.size());
                Collections.swap(lines, i, j);
                return String.join("\n", lines);
            }
            case 6: { // change the indentation of a line
                List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
                int i = rnd.nextInt(lines.size());
                String stripped = lines.get(i).stripLeading();
                String[] indents = {"", " ", "  ", "   ", "    ", "\t", "        ", "\t    ", "     "};
                lines.set(i, indents[rnd.nextInt(indents.length)] + stripped);
                return String.join("\n", lines);
            }
            default: { // token-level: delete, duplicate or swap tokens
                List<String> tokens = new ArrayList<>();
                Matcher m = TOKEN.matcher(text);
                while (m.find()) tokens.add(m.group());
                int i = rnd.nextInt(tokens.size()), j = rnd.nextInt(tokens.size());
                switch (rnd.nextInt(3)) {
                    case 0 -> tokens.remove(i);
                    case 1 -> tokens.add(i, tokens.get(j));
                    default -> Collections.swap(tokens, i, j);
                }
                return String.join("", tokens);
            }
        }
    }
}
