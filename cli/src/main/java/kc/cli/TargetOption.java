package kc.cli;

import java.util.Locale;

import kc.passes.cost.MachineModel;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.Emit;
import picocli.CommandLine.Option;

/** --target T: the machine kc compiles for, checked against what is emitted. */
final class TargetOption {
    @Option(names = "--target", paramLabel = "TARGET", description = "sm_90 or sm_80 for cuda/ptx (default sm_90), apple for metal (the default there).")
    String name;

    /** The target's machine model; bad input when kc does not know it or cannot emit this for it. */
    MachineModel machine(Emit emit, String command) {
        String target = name != null ? name : emit.defaultTarget();
        MachineModel m = MachineModel.forTarget(target);
        if (m == null || !emit.supports(m))
            throw new KcFailure(ExitCode.BAD_INPUT, command + ": unsupported target '" + target + "' for --emit "
                    + emit.name().toLowerCase(Locale.ROOT) + " (known: " + (emit == Emit.METAL ? "apple" : "sm_90, sm_80") + ")");
        return m;
    }
}
