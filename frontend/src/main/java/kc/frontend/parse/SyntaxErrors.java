package kc.frontend.parse;

import kc.frontend.CompileError;
import kc.grammar.LexicalError;
import kc.grammar.PythonParser;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.RuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Turns ANTLR's recognition failures into CPython-like messages at the offending token. */
final class SyntaxErrors {
    private SyntaxErrors() {}

    static CompileError describe(String file, PythonParser parser, CommonTokenStream tokens, RecognitionException e) {
        Token off = e.getOffendingToken();
        if (off == null) off = parser.getCurrentToken();
        int line = off.getLine();
        int column = off.getCharPositionInLine() + 1;
        ParserRuleContext ctx = e.getCtx() instanceof ParserRuleContext p ? p : parser.getContext();

        if (off.getType() == PythonParser.INDENT) {
            return new CompileError(file, line, column, "unexpected indent");
        }
        // The expected set is only about the offending token when the failure happened right at it.
        boolean atDecision = e instanceof InputMismatchException
                || (e instanceof NoViableAltException nv && nv.getStartToken() == off);
        IntervalSet expected = atDecision ? expectedTokens(e) : null;
        if (expected != null) {
            if (expected.contains(PythonParser.INDENT) && ctx instanceof PythonParser.BlockContext block) {
                return new CompileError(file, line, column, "expected an indented block" + after(block.getParent()));
            }
            if (off.getType() == PythonParser.NEWLINE && expected.contains(PythonParser.COLON)
                    && !after(ctx).isEmpty()) {
                return new CompileError(file, line, column, "expected ':'");
            }
            if (expected.contains(PythonParser.EXCEPT) && expected.contains(PythonParser.FINALLY)
                    && ctx instanceof PythonParser.TryStmtContext) {
                return new CompileError(file, line, column, "expected 'except' or 'finally' block");
            }
        }
        // As CPython does for a generic syntax error: an error the tokenizer finds later in the file (an
        // unclosed bracket, an unterminated string) explains it better.
        try {
            tokens.fill();
        } catch (LexicalError lexical) {
            return new CompileError(file, lexical.line(), lexical.column(), lexical.getMessage());
        }
        if (off.getType() == Token.EOF) {
            return new CompileError(file, line, column, "unexpected EOF while parsing");
        }
        return new CompileError(file, line, column, "invalid syntax");
    }

    private static IntervalSet expectedTokens(RecognitionException e) {
        try {
            return e.getExpectedTokens();
        } catch (RuntimeException ignored) {
            return null;   // no parser state recorded: fall back to the generic message
        }
    }

    /** " after 'if' statement on line 3" for the compound statement a block or header belongs to, else "". */
    private static String after(RuleContext header) {
        if (!(header instanceof ParserRuleContext c)) return "";
        String what;
        if (c instanceof PythonParser.IfStmtContext) what = "'if' statement";
        else if (c instanceof PythonParser.ElifClauseContext) what = "'elif' statement";
        else if (c instanceof PythonParser.ElseClauseContext) what = "'else' statement";
        else if (c instanceof PythonParser.WhileStmtContext) what = "'while' statement";
        else if (c instanceof PythonParser.ForStmtContext) what = "'for' statement";
        else if (c instanceof PythonParser.TryStmtContext) what = "'try' statement";
        else if (c instanceof PythonParser.ExceptClauseContext) what = "'except' statement";
        else if (c instanceof PythonParser.FinallyClauseContext) what = "'finally' statement";
        else if (c instanceof PythonParser.WithStmtContext) what = "'with' statement";
        else if (c instanceof PythonParser.FuncDefContext) what = "function definition";
        else if (c instanceof PythonParser.ClassDefContext) what = "class definition";
        else return "";
        return " after " + what + " on line " + c.start.getLine();
    }
}
