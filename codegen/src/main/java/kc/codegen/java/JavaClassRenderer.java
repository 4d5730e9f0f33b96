package kc.codegen.java;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.lang.model.element.Modifier;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;

import kc.ir.tile.LaunchPlan;

/**
 * A Java class for a compiled model (kc compile --emit java), written with javapoet: its constructor takes the
 * weights (a map of arrays by state_dict key, or a safetensors file), {@code forward} takes and returns host tensors
 * or device buffers, and {@code close} frees its device memory. It stands on kc's runtime ({@code
 * kc.runtime.gpu.CompiledModel}, Maven {@value #RUNTIME_COORDINATE}), and reads its PTX and launch plan from the
 * resources written beside it ({@code Name.ptx}, {@code Name.plan.json}).
 */
public final class JavaClassRenderer {
    private JavaClassRenderer() {}

    public static final String RUNTIME_COORDINATE = "dev.kc:kc-runtime:0.1.0-SNAPSHOT";
    public static final String PACKAGE = "kc.models";

    private static final ClassName COMPILED = ClassName.get("kc.runtime.gpu", "CompiledModel");
    private static final ClassName SAFETENSORS = ClassName.get("kc.runtime.gpu", "Safetensors");
    private static final ClassName NO_GPU = ClassName.get("kc.runtime.gpu", "NoGpuException");
    private static final ClassName DEVICE_BUFFER = ClassName.get("kc.runtime.gpu", "DeviceBuffer");
    private static final ClassName HOST_TENSOR = ClassName.get("kc.ir.interp", "HostTensor");

    /** The class name for a module file: {@code conv_block.py} gives {@code ConvBlockKc}. */
    public static String className(String fileName) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char ch : fileName.replaceFirst("\\.py$", "").toCharArray()) {
            if (!Character.isLetterOrDigit(ch)) { upper = true; continue; }
            out.append(upper ? Character.toUpperCase(ch) : ch);
            upper = false;
        }
        if (out.isEmpty() || !Character.isJavaIdentifierStart(out.charAt(0))) out.insert(0, "Model");
        return out + "Kc";
    }

    /** The files to write, by path relative to the output folder: the class and its two resources. */
    public static Map<String, String> render(String className, List<String> header, LaunchPlan plan, String ptx, String planJson) {
        String dir = PACKAGE.replace('.', '/') + "/";
        return Map.of(dir + className + ".java", javaFile(className, header, plan).toString(),
                dir + className + ".ptx", ptx,
                dir + className + ".plan.json", planJson);
    }

    static JavaFile javaFile(String className, List<String> header, LaunchPlan plan) {
        ClassName self = ClassName.get(PACKAGE, className);
        List<LaunchPlan.Buffer> inputs = byIndex(plan, LaunchPlan.Role.INPUT), outputs = byIndex(plan, LaunchPlan.Role.OUTPUT);
        TypeName weightsType = ParameterizedTypeName.get(ClassName.get(Map.class), ClassName.get(String.class), TypeName.get(float[].class));
        TypeName hostList = ParameterizedTypeName.get(ClassName.get(List.class), HOST_TENSOR);
        TypeName deviceList = ParameterizedTypeName.get(ClassName.get(List.class), DEVICE_BUFFER);
        boolean single = outputs.size() == 1;

        CodeBlock.Builder doc = CodeBlock.builder();
        for (String h : header) doc.add("$L\n", escape(h));
        doc.add("<p>Usage (kc's runtime on the class path: Maven {@code $L}):\n", RUNTIME_COORDINATE);
        doc.add("<pre>{@code\ntry ($L model = $L.fromSafetensors(Path.of(\"weights.safetensors\"))) {\n", className, className);
        doc.add("    $L y = model.forward($L);\n}\n}</pre>\n", single ? "HostTensor" : "List<HostTensor>",
                String.join(", ", inputs.stream().map(b -> "x" + b.index()).toList()));
        doc.add("Inputs: $L. Outputs: $L. Weights by state_dict key: $L.\n", describeAll(inputs), describeAll(outputs),
                String.join(", ", byIndex(plan, LaunchPlan.Role.PARAM).stream().map(b -> b.key() + " " + describe(b)).toList()));

        MethodSpec constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Loads the kernels on GPU 0 and uploads the weights (state_dict key to row-major values).\n")
                .addParameter(weightsType, "weights").addException(NO_GPU)
                .addStatement("this.model = $T.load(resource($S), resource($S), weights)", COMPILED, className + ".ptx", className + ".plan.json")
                .build();
        MethodSpec fromSafetensors = MethodSpec.methodBuilder("fromSafetensors").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("The model with its weights read from a safetensors file (as {@code safetensors.torch.save_file(model.state_dict(), ...)} writes it).\n")
                .returns(self).addParameter(Path.class, "file").addException(IOException.class).addException(NO_GPU)
                .addStatement("return new $T($T.read(file))", self, SAFETENSORS).build();

        MethodSpec.Builder hostForward = MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Host tensors in and out: $L.\n", describeAll(inputs))
                .returns(single ? HOST_TENSOR : hostList);
        MethodSpec.Builder deviceForward = MethodSpec.methodBuilder("forward").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Device buffers in and out (the outputs are the model's own, valid until the next forward or close).\n")
                .returns(single ? DEVICE_BUFFER : deviceList);
        List<String> names = new ArrayList<>();
        for (LaunchPlan.Buffer b : inputs) {
            String n = "x" + b.index();
            names.add(n);
            hostForward.addParameter(ParameterSpec.builder(HOST_TENSOR, n).addJavadoc("$L\n", describe(b)).build());
            deviceForward.addParameter(ParameterSpec.builder(DEVICE_BUFFER, n).addJavadoc("$L\n", describe(b)).build());
        }
        String args = String.join(", ", names);
        hostForward.addStatement(single ? "return model.forward($T.of($L)).get(0)" : "return model.forward($T.of($L))", List.class, args);
        deviceForward.addStatement(single ? "return model.forwardOnDevice($T.of($L)).get(0)" : "return model.forwardOnDevice($T.of($L))", List.class, args);

        MethodSpec allocate = MethodSpec.methodBuilder("allocate").addModifiers(Modifier.PUBLIC).returns(DEVICE_BUFFER)
                .addParameter(long.class, "bytes")
                .addJavadoc("A buffer on the model's GPU for the device forward's inputs (the caller fills and closes it).\n")
                .addStatement("return model.allocate(bytes)").build();
        MethodSpec close = MethodSpec.methodBuilder("close").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addJavadoc("Frees the model's device memory.\n").addStatement("model.close()").build();
        MethodSpec resource = MethodSpec.methodBuilder("resource").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(String.class).addParameter(String.class, "name")
                .beginControlFlow("try ($T in = $T.class.getResourceAsStream(name))", InputStream.class, self)
                .addStatement("if (in == null) throw new $T(\"missing resource \" + name + \" beside \" + $T.class.getName())", IllegalStateException.class, self)
                .addStatement("return new $T(in.readAllBytes(), $T.UTF_8)", String.class, StandardCharsets.class)
                .nextControlFlow("catch ($T e)", IOException.class)
                .addStatement("throw new $T(e)", UncheckedIOException.class)
                .endControlFlow().build();

        TypeSpec type = TypeSpec.classBuilder(className).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(AutoCloseable.class).addJavadoc(doc.build())
                .addField(FieldSpec.builder(COMPILED, "model", Modifier.PRIVATE, Modifier.FINAL).build())
                .addMethod(constructor).addMethod(fromSafetensors).addMethod(hostForward.build()).addMethod(deviceForward.build())
                .addMethod(allocate).addMethod(close).addMethod(resource).build();
        return JavaFile.builder(PACKAGE, type).skipJavaLangImports(true).build();
    }

    private static List<LaunchPlan.Buffer> byIndex(LaunchPlan plan, LaunchPlan.Role role) {
        List<LaunchPlan.Buffer> r = new ArrayList<>(plan.buffers().stream().filter(b -> b.role() == role).toList());
        r.sort(java.util.Comparator.comparingInt(LaunchPlan.Buffer::index));
        return r;
    }

    private static String describe(LaunchPlan.Buffer b) { return b.dtype().torchName() + b.shape(); }

    private static String describeAll(List<LaunchPlan.Buffer> bs) {
        List<String> parts = new ArrayList<>();
        for (LaunchPlan.Buffer b : bs) parts.add((b.role() == LaunchPlan.Role.INPUT ? "x" : "y") + b.index() + " " + describe(b));
        return String.join(", ", parts);
    }

    /** Javadoc text: no comment terminators or stray braces from file names and commands. */
    private static String escape(String s) { return s.replace("*/", "*&#47;"); }
}
