package kc.cli;

import java.nio.file.Path;

import kc.runtime.gpu.CeilingsCache;
import picocli.CommandLine.Option;

/** Where kc run and kc bench keep what is measured once per GPU (its ceilings). */
final class CacheOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where the GPU's measured ceilings are kept, one file per GPU model: kc bench measures them once, kc run's roofline floor uses them. Default: ~/.cache/kc.")
    Path dir;

    Path dir() { return dir != null ? dir : CeilingsCache.defaultDir(); }

    CeilingsCache ceilings() { return new CeilingsCache(dir()); }
}
