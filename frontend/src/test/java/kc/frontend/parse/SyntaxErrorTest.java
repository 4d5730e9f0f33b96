package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import kc.frontend.CompileError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Lexical and syntax errors: CPython's message (3.11/3.12 wording) at file:line:col. Where kc's column differs
 * from CPython's it points at the offending token itself (CPython sometimes points at the end of the
 * indentation or of the construct).
 */
class SyntaxErrorTest {
    static CompileError error(String src) {
        return assertThrows(CompileError.class, () -> PythonSource.parse("m.py", src), src);
    }

    /** Sources use \n, \t and \\ escapes, so each case stays on one line. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
        "if x\\n  pass\\n                 => m.py:1:5: error: expected ':'",
        "class A\\n  pass                 => m.py:1:8: error: expected ':'",
        "for x in y\\n  pass              => m.py:1:11: error: expected ':'",
        "while x\\n    pass               => m.py:1:8: error: expected ':'",
        "with a as b\\n  pass             => m.py:1:12: error: expected ':'",
        "if x:\\n    pass\\nelse\\n    pass\\n => m.py:3:5: error: expected ':'",
        "x = (1,\\n2\\n                   => m.py:1:5: error: '(' was never closed",
        "x = [1, 2                        => m.py:1:5: error: '[' was never closed",
        "x = ((a)\\ny = 2\\n              => m.py:1:5: error: '(' was never closed",
        "x = {                            => m.py:1:5: error: '{' was never closed",
        "x = a)                           => m.py:1:6: error: unmatched ')'",
        "x = (a]                          => m.py:1:7: error: closing parenthesis ']' does not match opening parenthesis '('",
        "x = (a,\\n b}                    => m.py:2:3: error: closing parenthesis '}' does not match opening parenthesis '(' on line 1",
        "`  x = 1\\n`                     => m.py:1:3: error: unexpected indent",
        "x = 1\\n    y = 2\\n             => m.py:2:5: error: unexpected indent",
        "if x:\\n    a\\n  b\\n           => m.py:3:3: error: unindent does not match any outer indentation level",
        "if x:\\n\\tpass\\n        pass\\n => m.py:3:9: error: inconsistent use of tabs and spaces in indentation",
        "if x:\\ny\\n                     => m.py:2:1: error: expected an indented block after 'if' statement on line 1",
        "def f():\\nreturn 1              => m.py:2:1: error: expected an indented block after function definition on line 1",
        "class A:\\n    def f(self):\\n   => m.py:2:17: error: expected an indented block after function definition on line 2",
        "for x in y:\\n# c\\n             => m.py:2:4: error: expected an indented block after 'for' statement on line 1",
        "if x:                            => m.py:1:6: error: expected an indented block after 'if' statement on line 1",
        "try:\\n    pass\\nx = 1\\n       => m.py:3:1: error: expected 'except' or 'finally' block",
        "s = \"abc\\n                     => m.py:1:5: error: unterminated string literal (detected at line 1)",
        "s = '''abc\\n\\nx                => m.py:1:5: error: unterminated triple-quoted string literal (detected at line 3)",
        "x = \"\"\"a\"\"\" \"\"\"b          => m.py:1:13: error: unterminated triple-quoted string literal (detected at line 1)",
        "x = 1 $ 2                        => m.py:1:7: error: invalid syntax",
        "x = 1 +                          => m.py:1:8: error: invalid syntax",
        "x = 1 +\\n\\n\\n                 => m.py:1:8: error: invalid syntax",
        "def f(:\\n                       => m.py:1:7: error: invalid syntax",
        "x := 1                           => m.py:1:3: error: invalid syntax",
        "x = (1 2)                        => m.py:1:8: error: invalid syntax. Perhaps you forgot a comma?",
        "print \"hello\"                  => m.py:1:1: error: Missing parentheses in call to 'print'. Did you mean print(...)?",
        "x = 1 if y                       => m.py:1:5: error: expected 'else' after 'if' expression",
        "from x import a,                 => m.py:1:17: error: trailing comma not allowed without surrounding parentheses",
        "from import x                    => m.py:1:6: error: invalid syntax",
        "@dec\\n                          => m.py:1:5: error: unexpected EOF while parsing",
        "x = €                            => m.py:1:5: error: invalid character '€' (U+20AC)",
        "x = \u00a0 1                     => m.py:1:5: error: invalid non-printable character U+00A0",
        "x = \\ 1                         => m.py:1:5: error: unexpected character after line continuation character",
        "x = 0777                         => m.py:1:5: error: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
        "x = 1abc                         => m.py:1:5: error: invalid decimal literal",
        "x = 0x                           => m.py:1:5: error: invalid hexadecimal literal",
        "x = 0b12                         => m.py:1:8: error: invalid digit '2' in binary literal",
        "x = 0o8                          => m.py:1:7: error: invalid digit '8' in octal literal",
        "x = 1j                           => m.py:1:5: error: complex numbers are not supported",
        "async def f(): pass              => m.py:1:1: error: 'async' is not supported",
        "@dec\\nasync def f(): pass        => m.py:2:1: error: 'async' is not supported",
        "def f():\\n    await g()\\n       => m.py:2:5: error: 'await' is not supported",
        "match x:\\n    case 1: pass\\n   => m.py:1:1: error: 'match' statements are not supported",
        "def f():\\n    yield from g()\\n => m.py:2:5: error: 'yield from' is not supported",
        "1 = x                            => m.py:1:1: error: cannot assign to literal here. Maybe you meant '==' instead of '='?",
        "f() = 1                          => m.py:1:1: error: cannot assign to function call here. Maybe you meant '==' instead of '='?",
        "a + 1 += 2                       => m.py:1:1: error: 'expression' is an illegal expression for augmented assignment",
        "(a, b) += 1                      => m.py:1:1: error: 'tuple' is an illegal expression for augmented assignment",
        "for f() in x: pass               => m.py:1:5: error: cannot assign to function call",
        "with a as f(): pass              => m.py:1:11: error: cannot assign to function call",
        "[x for 1 in y]                   => m.py:1:8: error: cannot assign to literal",
        "del f()                          => m.py:1:5: error: cannot delete function call",
        "del *a                           => m.py:1:5: error: cannot delete starred",
        "*a = 1                           => m.py:1:1: error: starred assignment target must be in a list or tuple",
        "a, *b, *c = d                    => m.py:1:8: error: multiple starred expressions in assignment",
        "x = *a                           => m.py:1:5: error: can't use starred expression here",
        "x = (*a)                         => m.py:1:6: error: cannot use starred expression here",
        "a, b: int                        => m.py:1:1: error: only single target (not tuple) can be annotated",
        "[a, b]: int                      => m.py:1:1: error: only single target (not list) can be annotated",
        "(a + 1): int                     => m.py:1:2: error: illegal target for annotation",
        "(a.b := 1)                       => m.py:1:2: error: cannot use assignment expressions with attribute",
        "f(a=1, b)                        => m.py:1:8: error: positional argument follows keyword argument",
        "f(**k, a)                        => m.py:1:8: error: positional argument follows keyword argument unpacking",
        "f(**a, *b)                       => m.py:1:8: error: iterable argument unpacking follows keyword argument unpacking",
        "f(a=1, a=2)                      => m.py:1:8: error: keyword argument repeated: a",
        "f(a for a in b, c)               => m.py:1:3: error: Generator expression must be parenthesized",
        "def f(a=1, b): pass              => m.py:1:12: error: parameter without a default follows parameter with a default",
        "lambda x=1, y: 0                 => m.py:1:13: error: parameter without a default follows parameter with a default",
        "def f(a, a): pass                => m.py:1:10: error: duplicate argument 'a' in function definition",
        "def f(*): pass                   => m.py:1:7: error: named arguments must follow bare *",
        "def f(*, **k): pass              => m.py:1:7: error: named arguments must follow bare *",
        "def f(**k, a): pass              => m.py:1:12: error: arguments cannot follow var-keyword argument",
        "def f(*a, *b): pass              => m.py:1:11: error: * argument may appear only once",
        "def f(a, /, b, /): pass          => m.py:1:16: error: / may appear only once",
        "def f(*a, /): pass               => m.py:1:11: error: / must be ahead of *",
        "def f(/, a): pass                => m.py:1:7: error: at least one argument must precede /",
        "x = {1: 2, 3}                    => m.py:1:12: error: ':' expected after dictionary key",
        "x = {1, 2: 3}                    => m.py:1:10: error: invalid syntax",
        "[*a for a in b]                  => m.py:1:2: error: iterable unpacking cannot be used in comprehension",
        "{**a for a in b}                 => m.py:1:2: error: dict unpacking cannot be used in dict comprehension",
        "break                            => m.py:1:1: error: 'break' outside loop",
        "continue                         => m.py:1:1: error: 'continue' not properly in loop",
        "while x:\\n    def g():\\n        break\\n => m.py:3:9: error: 'break' outside loop",
        "for x in y:\\n    pass\\nelse:\\n    continue\\n => m.py:4:5: error: 'continue' not properly in loop",
        "return 1                         => m.py:1:1: error: 'return' outside function",
        "class A:\\n    return\\n         => m.py:2:5: error: 'return' outside function",
        "yield 1                          => m.py:1:1: error: 'yield' outside function",
        "x = [(yield) for a in b]         => m.py:1:7: error: 'yield' inside list comprehension",
        "def f():\\n    [x for x in y if (yield)]\\n => m.py:2:23: error: 'yield' inside list comprehension",
        "def f():\\n    {(yield): 1 for x in y}\\n => m.py:2:7: error: 'yield' inside dict comprehension",
        "def f():\\n    g((yield) for x in y)\\n => m.py:2:8: error: 'yield' inside generator expression",
        "def f():\\n    {x for x in y for z in (yield)}\\n => m.py:2:29: error: 'yield' inside set comprehension",
        "nonlocal x                       => m.py:1:1: error: nonlocal declaration not allowed at module level",
        "class A:\\n    nonlocal x\\n     => m.py:2:5: error: no binding for nonlocal 'x' found",
        "try:\\n    pass\\nexcept:\\n    pass\\nexcept E:\\n    pass\\n => m.py:3:1: error: default 'except:' must be last",
        "x = b'é'                         => m.py:1:7: error: bytes can only contain ASCII literal characters",
        "x = b'a' 'b'                     => m.py:1:10: error: cannot mix bytes and nonbytes literals",
        "x = '\\xZZ'                      => m.py:1:6: error: truncated \\xXX escape",
        "x = '\\N{NOT A NAME}'            => m.py:1:6: error: unknown Unicode character name",
        "f'{}'                            => m.py:1:4: error: f-string: empty expression not allowed",
        "f'{x!z}'                         => m.py:1:6: error: f-string: invalid conversion character 'z': expected 's', 'r', or 'a'",
        "f'{x!}'                          => m.py:1:5: error: f-string: missing conversion character",
        "f'}'                             => m.py:1:3: error: f-string: single '}' is not allowed",
        "x = f'{a'                        => m.py:1:7: error: f-string: expecting '}'",
        "x = f'{a:{b}'                    => m.py:1:7: error: f-string: expecting '}'",
        "x = f'{a +}'                     => m.py:1:11: error: invalid syntax",
        "x = f'''\\n{a\\n+}'''            => m.py:3:2: error: invalid syntax",
        "x = f'{a b}'                     => m.py:1:10: error: invalid syntax. Perhaps you forgot a comma?",
    })
    void message(String src, String expected) {
        String unescaped = src.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
        assertEquals(expected, error(unescaped).format());
    }

    @Test
    void notPythonAtAll() {
        assertEquals("m.py:1:1: error: source code cannot contain null bytes", error("\0\u0001binary").format());
        // "#include" is a comment to Python; the next line is where it stops being Python.
        assertEquals("m.py:2:5: error: invalid syntax", error("#include <stdio.h>\nint main(void) { return 0; }\n").format());
        CompileError bin = error("\u007fELF\u0002\u0001\u0001\0\0\0\0\0\0\0\0\0\u0003\0>\0");
        assertEquals(1, bin.line());
        CompileError replacement = error("x = 1\n\uFFFD\uFFFD\n");
        assertEquals("m.py:2:1: error: invalid character '\uFFFD' (U+FFFD)", replacement.format());
    }

    @Test
    void limitsOnNestingAreErrorsNotCrashes() {
        assertEquals("too many nested parentheses", error("x = " + "(".repeat(300) + ")".repeat(300)).getMessage());
        StringBuilder deep = new StringBuilder();
        for (int d = 0; d < 120; d++) deep.append(" ".repeat(d)).append("if x:\n");
        assertEquals("too many levels of indentation", error(deep.toString()).getMessage());
    }

    @Test
    void caretLineShowsTheColumn() {
        String src = "x = 1\n\ty = (a b)\n";
        assertEquals("\ty = (a b)\n\t       ^", PythonSource.caretLine(src, 2, 9));
        assertEquals("x = 1\n^", PythonSource.caretLine(src, 1, 1));
        assertEquals("x = 1\n      ^", PythonSource.caretLine(src, 1, 7));   // one past the end of the line
        assertEquals("", PythonSource.caretLine(src, 3, 1));
        assertEquals("b\n^", PythonSource.caretLine("a\r\nb", 2, 1));
        assertEquals("x = $\n    ^", PythonSource.caretLine("\uFEFFx = $", 1, error("\uFEFFx = $").column()));
        String astral = "s = '\uD83D\uDE00' $";   // columns count code points, so the emoji is one column
        assertEquals(9, error(astral).column());
        assertEquals(astral + "\n        ^", PythonSource.caretLine(astral, 1, 9));
    }
}
