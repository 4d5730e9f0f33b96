package kc.frontend.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import kc.frontend.torch.Tensor;
import kc.frontend.torch.TensorLike;
import kc.ir.graph.DType;

/**
 * The evaluator's built-in types. Their instances are plain Java values (Long for int...), so each type has an
 * instance test; calling a type runs its Java constructor (installed by {@link Builtins}). Methods of these types
 * live in their dicts as NativeFunctions (installed by {@link Methods}). Shared by all evaluations: like
 * Python's built-in types they cannot be modified by the evaluated code.
 */
final class Types {
    private Types() {}

    static final PyClass OBJECT = make("object", List.of(), v -> true);
    static final PyClass TYPE = make("type", List.of(OBJECT), v -> v instanceof PyClass);
    static final PyClass INT = make("int", List.of(OBJECT), v -> v instanceof Long || v instanceof Boolean);
    static final PyClass BOOL = make("bool", List.of(INT), v -> v instanceof Boolean);
    static final PyClass FLOAT = make("float", List.of(OBJECT), v -> v instanceof Double);
    static final PyClass STR = make("str", List.of(OBJECT), v -> v instanceof String);
    static final PyClass LIST = make("list", List.of(OBJECT), v -> v instanceof Py.PyList);
    static final PyClass TUPLE = make("tuple", List.of(OBJECT), v -> v instanceof Py.Tuple);
    static final PyClass DICT = make("dict", List.of(OBJECT), v -> v instanceof Py.PyDict);
    static final PyClass SET = make("set", List.of(OBJECT), v -> v instanceof PyObjects.PySet);
    static final PyClass NONE_TYPE = make("NoneType", List.of(OBJECT), v -> v == Py.NONE);
    static final PyClass RANGE = make("range", List.of(OBJECT), v -> v instanceof PyObjects.Range);
    static final PyClass SLICE = make("slice", List.of(OBJECT), v -> v instanceof Py.Slice);
    static final PyClass FUNCTION = make("function", List.of(OBJECT),
            v -> v instanceof PyFunction || v instanceof PyObjects.BoundMethod);
    static final PyClass BUILTIN_FUNCTION = make("builtin_function_or_method", List.of(OBJECT), v -> v instanceof kc.frontend.eval.NativeFunction);
    static final PyClass MODULE_TYPE = make("module", List.of(OBJECT), v -> v instanceof PyObjects.ModuleObject);
    static final PyClass ITERATOR = make("iterator", List.of(OBJECT), v -> v instanceof PyObjects.PyIterator);
    static final PyClass PROPERTY = make("property", List.of(OBJECT), v -> v instanceof PyObjects.Property);
    static final PyClass STATICMETHOD = make("staticmethod", List.of(OBJECT), v -> v instanceof PyObjects.StaticMethod);
    static final PyClass CLASSMETHOD = make("classmethod", List.of(OBJECT), v -> v instanceof PyObjects.ClassMethod);
    static final PyClass SUPER = make("super", List.of(OBJECT), v -> v instanceof PyObjects.Super);
    static final PyClass ELLIPSIS = make("ellipsis", List.of(OBJECT), v -> v == Py.Ellipsis.ELLIPSIS);
    static final PyClass NOT_IMPLEMENTED_TYPE = make("NotImplementedType", List.of(OBJECT), v -> v == Types.NotImplemented.NOT_IMPLEMENTED);
    static final PyClass TENSOR = make("Tensor", List.of(OBJECT), v -> v instanceof TensorLike);
    static final PyClass PARAMETER = make("Parameter", List.of(TENSOR), v -> v instanceof Tensor t && t.isParameter());
    static final PyClass DTYPE = make("dtype", List.of(OBJECT), v -> v instanceof DType);
    static final PyClass TYPING_FORM = make("_SpecialForm", List.of(OBJECT), v -> v instanceof PyObjects.TypingForm);
    static final PyClass UNAVAILABLE = make("unavailable", List.of(OBJECT), v -> v instanceof PyObjects.Unavailable);

    /** Abstract base classes of collections.abc and numbers, by instance test. */
    static final PyClass ITERABLE = make("Iterable", List.of(OBJECT), Types::isIterable);
    static final PyClass SEQUENCE = make("Sequence", List.of(ITERABLE),
            v -> v instanceof Py.PyList || v instanceof Py.Tuple || v instanceof String || v instanceof PyObjects.Range);
    static final PyClass MAPPING = make("Mapping", List.of(ITERABLE), v -> v instanceof Py.PyDict);
    static final PyClass CALLABLE = make("Callable", List.of(OBJECT), Types::isCallableValue);
    static final PyClass NUMBER = make("Number", List.of(OBJECT), Operators::isNumber);
    static final PyClass REAL = make("Real", List.of(NUMBER), Operators::isNumber);
    static final PyClass INTEGRAL = make("Integral", List.of(REAL), Operators::isIntLike);

    /** Python's exception hierarchy (the part code raises and catches); instances are PyInstances. */
    static final Map<String, PyClass> EXCEPTIONS = new LinkedHashMap<>();
    static final PyClass BASE_EXCEPTION = exception("BaseException", null);
    static final PyClass EXCEPTION = exception("Exception", BASE_EXCEPTION);
    static {
        exception("StopIteration", EXCEPTION);
        PyClass arithmetic = exception("ArithmeticError", EXCEPTION);
        exception("ZeroDivisionError", arithmetic);
        exception("OverflowError", arithmetic);
        PyClass lookup = exception("LookupError", EXCEPTION);
        exception("KeyError", lookup);
        exception("IndexError", lookup);
        exception("AssertionError", EXCEPTION);
        exception("AttributeError", EXCEPTION);
        PyClass importError = exception("ImportError", EXCEPTION);
        exception("ModuleNotFoundError", importError);
        exception("NameError", EXCEPTION);
        exception("UnboundLocalError", EXCEPTIONS.get("NameError"));
        PyClass runtime = exception("RuntimeError", EXCEPTION);
        exception("NotImplementedError", runtime);
        exception("RecursionError", runtime);
        exception("TypeError", EXCEPTION);
        PyClass value = exception("ValueError", EXCEPTION);
        exception("UnicodeError", value);
        exception("OSError", EXCEPTION);
        PyClass warning = exception("Warning", EXCEPTION);
        exception("UserWarning", warning);
        exception("DeprecationWarning", warning);
        exception("RuntimeWarning", warning);
        exception("FutureWarning", warning);
    }

    private static PyClass make(String name, List<PyClass> bases, Predicate<Object> test) {
        PyClass c = PyClass.builtin(name, bases);
        c.nativeInstanceTest = test;
        return c;
    }

    private static PyClass exception(String name, PyClass base) {
        PyClass c = PyClass.builtin(name, base == null ? List.of(OBJECT) : List.of(base));
        EXCEPTIONS.put(name, c);
        return c;
    }

    static boolean isIterable(Object v) {
        return v instanceof Py.PyList || v instanceof Py.Tuple || v instanceof String || v instanceof Py.PyDict
                || v instanceof PyObjects.PySet || v instanceof PyObjects.Range || v instanceof PyObjects.PyIterator
                || v instanceof TensorLike
                || v instanceof PyInstance i && (i.cls.lookup("__iter__") != null || i.cls.lookup("__getitem__") != null);
    }

    static boolean isCallableValue(Object v) {
        return v instanceof PyFunction || v instanceof NativeFunction || v instanceof PyClass
                || v instanceof PyObjects.BoundMethod || v instanceof PyInstance i && i.cls.lookup("__call__") != null;
    }

    /** The class of any value. */
    static PyClass classOf(Object v) {
        if (v instanceof PyInstance i) return i.cls;
        if (v instanceof Long) return INT;
        if (v instanceof Boolean) return BOOL;
        if (v instanceof Double) return FLOAT;
        if (v instanceof String) return STR;
        if (v instanceof Tensor t) return t.isParameter() ? PARAMETER : TENSOR;
        if (v instanceof TensorLike) return TENSOR;
        if (v instanceof Py.Tuple) return TUPLE;
        if (v instanceof Py.PyList) return LIST;
        if (v instanceof Py.PyDict) return DICT;
        if (v == Py.NONE) return NONE_TYPE;
        if (v instanceof PyClass) return TYPE;
        if (v instanceof PyFunction || v instanceof PyObjects.BoundMethod) return FUNCTION;
        if (v instanceof NativeFunction) return BUILTIN_FUNCTION;
        if (v instanceof PyObjects.PySet) return SET;
        if (v instanceof PyObjects.Range) return RANGE;
        if (v instanceof Py.Slice) return SLICE;
        if (v instanceof PyObjects.ModuleObject) return MODULE_TYPE;
        if (v instanceof PyObjects.PyIterator) return ITERATOR;
        if (v instanceof DType) return DTYPE;
        if (v instanceof PyObjects.Property) return PROPERTY;
        if (v instanceof PyObjects.StaticMethod) return STATICMETHOD;
        if (v instanceof PyObjects.ClassMethod) return CLASSMETHOD;
        if (v instanceof PyObjects.Super) return SUPER;
        if (v instanceof PyObjects.TypingForm) return TYPING_FORM;
        if (v instanceof PyObjects.Unavailable) return UNAVAILABLE;
        if (v == Py.Ellipsis.ELLIPSIS) return ELLIPSIS;
        if (v == Types.NotImplemented.NOT_IMPLEMENTED) return NOT_IMPLEMENTED_TYPE;
        return OBJECT;
    }

    /** isinstance(v, cls). */
    static boolean isInstance(Object v, PyClass cls) {
        if (v instanceof PyInstance i && i.cls.isSubclassOf(cls)) return true;
        if (cls.nativeInstanceTest != null) return cls.nativeInstanceTest.test(v);
        if (v instanceof PyInstance) return false;
        return classOf(v).isSubclassOf(cls);
    }

    /** Python's NotImplemented, returned by binary dunders that do not handle an operand type. */
    enum NotImplemented { NOT_IMPLEMENTED; @Override public String toString() { return "NotImplemented"; } }
}
