package kc.frontend.parse;

import java.util.List;
import kc.frontend.CompileError;
import kc.frontend.ast.Expr;
import kc.frontend.ast.PyModule;
import kc.grammar.LexicalError;
import kc.grammar.PythonLexer;
import kc.grammar.PythonParser;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Entry point of the Python parser: source text in, kc's own AST out. ANTLR's parse tree never leaves this
 * package; every problem with the input, lexical or syntactic, is a {@link CompileError} with a 1-based line
 * and column. Nothing is printed.
 */
public final class PythonSource {
    private PythonSource() {}

    /** Parses a whole module file. */
    public static PyModule parse(String fileName, String text) {
        String source = normalize(text);
        try {
            PythonParser.FileInputContext tree = parseTree(fileName, source, 1, 0, PythonParser::fileInput);
            return new PyModule(fileName, new AstBuilder(fileName).module(tree));
        } catch (CompileError e) {
            throw withinText(e, source);
        } catch (StackOverflowError e) {
            // Brackets and blocks are limited by the lexer, but thousands of chained unary operators or lambdas
            // still exhaust the recursive-descent parser's stack; CPython refuses such input too.
            throw new CompileError(fileName, 1, 1, "too many nested expressions");
        }
    }

    /**
     * Errors found at the end of input (after the final newline) are moved to the end of the last line, where
     * CPython reports them too and where a caret can be shown.
     */
    private static CompileError withinText(CompileError e, String source) {
        int lines = 0, lastStart = 0;
        for (int i = 0; i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                lines++;
                if (i + 1 < source.length()) lastStart = i + 1;
            }
        }
        if (!source.isEmpty() && !source.endsWith("\n")) lines++;
        if (lines == 0) return e.line() == 1 && e.column() == 1 ? e : new CompileError(e.file(), 1, 1, e.getMessage());
        if (e.line() >= 1 && e.line() <= lines && e.column() >= 1) return e;
        int lastEnd = source.endsWith("\n") ? source.length() - 1 : source.length();
        int column = source.codePointCount(lastStart, lastEnd) + 1;
        return new CompileError(e.file(), lines, column, e.getMessage());
    }

    /**
     * Parses one expression, as Python's {@code eval()} does (it may span lines and be surrounded by blanks);
     * positions are 1-based within {@code text}, as for a file.
     */
    public static Expr parseExpression(String fileName, String text) {
        String source = normalize(text);
        try {
            int blanks = 0;
            while (blanks < source.length() && " \t\f".indexOf(source.charAt(blanks)) >= 0) blanks++;
            PythonParser.EvalInputContext tree = parseTree(fileName, source.substring(blanks), 1, blanks,
                    PythonParser::evalInput);
            return new AstBuilder(fileName).testListStarExpr(tree.testListStarExpr());
        } catch (CompileError e) {
            throw withinText(e, source);
        } catch (StackOverflowError e) {
            throw new CompileError(fileName, 1, 1, "too many nested expressions");
        }
    }

    /**
     * Parses the interior of an f-string replacement field, {@code text} being "(expr)", whose '(' stands at the
     * given 1-based line and 0-based character position of the file (it is one column left of the expression).
     */
    static Expr parseFStringField(String fileName, String text, int line, int charPositionInLine, AstBuilder outer) {
        PythonParser.FstringInputContext tree = parseTree(fileName, text, line, charPositionInLine,
                PythonParser::fstringInput);
        return outer.fstringField(tree);
    }

    /**
     * The source line {@code line} (1-based) followed by a line holding a caret under {@code column} (1-based).
     * Tabs before the column are kept so that the caret lines up in a terminal. Empty if the line does not exist.
     */
    public static String caretLine(String text, int line, int column) {
        List<String> lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).lines().toList();
        // String.lines() drops a trailing empty line; a position just past the final newline has nothing to show.
        if (line < 1 || line > lines.size()) return "";
        String src = lines.get(line - 1);
        StringBuilder caret = new StringBuilder();
        int cps = src.codePointCount(0, src.length());
        int upTo = Math.max(0, Math.min(column - 1, cps));
        int offset = 0;
        for (int i = 0; i < upTo; i++) {
            int cp = src.codePointAt(offset);
            caret.append(cp == '\t' ? '\t' : ' ');
            offset += Character.charCount(cp);
        }
        for (int i = upTo; i < column - 1; i++) caret.append(' ');
        return src + "\n" + caret + "^";
    }

    /** Python reads source with universal newlines; a leading byte-order mark is not part of the text. */
    static String normalize(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        if (s.indexOf('\r') < 0) return s;
        return s.replace("\r\n", "\n").replace('\r', '\n');
    }

    /**
     * The lexer grammar ends in a rule matching any character, so ANTLR's own lexer errors cannot happen; if one
     * did, ANTLR would skip the character silently, so it is made an error. The parser needs no listener: its
     * BailErrorStrategy throws.
     */
    private static final BaseErrorListener LEXER_ERRORS = new BaseErrorListener() {
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                String msg, RecognitionException e) {
            throw new LexicalError(line, charPositionInLine + 1, "invalid syntax");
        }
    };

    private interface Entry<T extends ParserRuleContext> {
        T parse(PythonParser parser);
    }

    /**
     * Two-stage parse: SLL prediction is fast and succeeds on every valid input of this grammar in practice; only
     * when it fails is the input parsed again with full LL prediction, which also gives the precise error.
     */
    private static <T extends ParserRuleContext> T parseTree(String fileName, String source, int line,
                                                             int charPositionInLine, Entry<T> entry) {
        try {
            PythonLexer lexer = new PythonLexer(CharStreams.fromString(source, fileName));
            lexer.removeErrorListeners();
            lexer.addErrorListener(LEXER_ERRORS);
            lexer.setLine(line);
            lexer.setCharPositionInLine(charPositionInLine);
            CommonTokenStream tokens = new CommonTokenStream(lexer);
            PythonParser parser = new PythonParser(tokens);
            parser.removeErrorListeners();
            parser.setErrorHandler(new BailErrorStrategy());
            parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
            try {
                return entry.parse(parser);
            } catch (ParseCancellationException sllFailed) {
                parser.reset();
                parser.getInterpreter().setPredictionMode(PredictionMode.LL);
                try {
                    return entry.parse(parser);
                } catch (ParseCancellationException e) {
                    throw SyntaxErrors.describe(fileName, parser, tokens, (RecognitionException) e.getCause());
                }
            }
        } catch (LexicalError e) {
            throw new CompileError(fileName, e.line(), e.column(), e.getMessage());
        }
    }
}
