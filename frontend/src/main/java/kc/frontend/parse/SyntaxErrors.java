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
        CompileError error = message(file, parser, tokens, e);
        if (error.getMessage().equals("unexpected indent") || error.getMessage().startsWith("unexpected EOF")) return error;
        // As CPython does after a syntax error, look at the rest of the file: a later tokenizer error (an
        // unterminated string, a bad character or bracket), or a bracket opened on an earlier line and never
        // closed, is the better explanation. Layout errors further down are not (CPython's tokenizer does not
        // raise those as it goes).
        try {
            tokens.fill();
        } catch (LexicalError lexical) {
            boolean better = switch (lexical.kind()) {
                case TOKEN -> true;
                case UNCLOSED_BRACKET -> lexical.line() < error.line();
                case LAYOUT -> false;
            };
            if (better) return new CompileError(file, lexical.line(), lexical.column(), lexical.getMessage());
        }
        return error;
    }

    private static CompileError message(String file, PythonParser parser, CommonTokenStream tokens, RecognitionException e) {
        Token off = e.getOffendingToken() != null ? e.getOffendingToken() : parser.getCurrentToken();
        ParserRuleContext ctx = e.getCtx() instanceof ParserRuleContext p ? p
                : parser.getContext() != null ? parser.getContext() : new ParserRuleContext();
        Token prev = previous(tokens, off);
        if (off.getType() == PythonParser.INDENT) return at(file, off, "unexpected indent");

        CompileError specific = expectedTokenMessage(file, off, ctx, e);
        if (specific == null) specific = parameterOrArgumentMessage(file, tokens, off, prev, ctx);
        if (specific == null) specific = unsupportedFeatureMessage(file, tokens, off, prev);
        if (specific == null) specific = adjacentOperandsMessage(file, tokens, off, prev, ctx);
        if (specific != null) return specific;
        return at(file, off, off.getType() == Token.EOF ? "unexpected EOF while parsing" : "invalid syntax");
    }

    /** Messages that follow from what the parser expected at the offending token. */
    private static CompileError expectedTokenMessage(String file, Token off, ParserRuleContext ctx, RecognitionException e) {
        // The expected set is only about the offending token when the failure happened right at it.
        boolean atDecision = e instanceof InputMismatchException
                || (e instanceof NoViableAltException nv && nv.getStartToken() == off);
        IntervalSet expected = atDecision ? expectedTokens(e) : null;
        if (expected == null) return null;
        if (expected.contains(PythonParser.INDENT) && ctx instanceof PythonParser.BlockContext block) {
            return at(file, off, "expected an indented block" + after(block.getParent()));
        }
        // CPython insists on the ':' of def, for, try, else and finally whatever follows; for the other
        // compound statements it says so only at the end of the line.
        if (expected.contains(PythonParser.COLON) && (forcedColon(ctx)
                || (off.getType() == PythonParser.NEWLINE && !after(ctx).isEmpty()))) {
            return at(file, off, "expected ':'");
        }
        if (expected.contains(PythonParser.OPEN_PAREN) && ctx instanceof PythonParser.ParametersContext) {
            return at(file, off, "expected '('");
        }
        if (expected.contains(PythonParser.EXCEPT) && expected.contains(PythonParser.FINALLY)
                && ctx instanceof PythonParser.TryStmtContext) {
            return at(file, off, "expected 'except' or 'finally' block");
        }
        if (expected.contains(PythonParser.ELSE) && ctx instanceof PythonParser.TestContext
                && off.getType() != PythonParser.COLON) {
            return at(file, ctx.start, "expected 'else' after 'if' expression");
        }
        return null;
    }

    /** A bad parameter default, '=' after an expression argument, a trailing comma in an import. */
    private static CompileError parameterOrArgumentMessage(String file, CommonTokenStream tokens, Token off, Token prev,
                                                           ParserRuleContext ctx) {
        if (prev != null && prev.getType() == PythonParser.ASSIGN && isDefaultOfParameter(ctx, prev)) {
            return at(file, off, "expected default value expression");
        }
        if (off.getType() == PythonParser.ASSIGN) {
            String starred = starredParameterBefore(tokens, off, ctx);
            if (starred != null) return at(file, off, starred + " argument cannot have default value");
            PythonParser.ArgumentContext arg = lastArgument(ctx);
            if (arg != null && arg.ASSIGN() == null && arg.stop == prev) {
                return at(file, arg.start, "expression cannot contain assignment, perhaps you meant \"==\"?");
            }
        }
        boolean inImport = ctx instanceof PythonParser.ImportTargetsContext
                || ctx.getParent() instanceof PythonParser.ImportTargetsContext;
        if (off.getType() == PythonParser.NEWLINE && inImport && prev != null && prev.getType() == PythonParser.COMMA) {
            return at(file, off, "trailing comma not allowed without surrounding parentheses");
        }
        return null;
    }

    /** Python features kc leaves out on purpose: say so instead of "invalid syntax". */
    private static CompileError unsupportedFeatureMessage(String file, CommonTokenStream tokens, Token off, Token prev) {
        if (isWord(off, "async") && isAsyncable(typeAfter(tokens, off))) return at(file, off, "'async' is not supported");
        if (prev == null || prev.getType() != PythonParser.NAME) return null;
        if (isWord(prev, "async") && isAsyncable(off.getType())) return at(file, prev, "'async' is not supported");
        if (isWord(prev, "await") && startsOperand(off.getType())) return at(file, prev, "'await' is not supported");
        if (isWord(prev, "match") && startsOperand(off.getType()) && startsStatement(tokens, prev)) {
            return at(file, prev, "'match' statements are not supported");
        }
        return null;
    }

    /** Two operands in a row: a Python 2 print statement, or a missing comma inside brackets. */
    private static CompileError adjacentOperandsMessage(String file, CommonTokenStream tokens, Token off, Token prev,
                                                        ParserRuleContext ctx) {
        if (prev == null || !endsOperand(prev.getType()) || !startsOperand(off.getType())) return null;
        if (isWord(prev, "print") && startsStatement(tokens, prev)) {
            return at(file, prev, "Missing parentheses in call to 'print'. Did you mean print(...)?");
        }
        // Not after a name followed by a string: that is more likely a misspelt prefix than a missing comma.
        boolean misspeltPrefix = prev.getType() == PythonParser.NAME && off.getType() == PythonParser.STRING;
        if (!misspeltPrefix && !inParameters(ctx) && insideBrackets(tokens, off)) {
            return at(file, off, "invalid syntax. Perhaps you forgot a comma?");
        }
        return null;
    }

    private static boolean isWord(Token t, String word) {
        return t.getType() == PythonParser.NAME && t.getText().equals(word);
    }

    private static boolean isAsyncable(int type) {
        return type == PythonParser.DEF || type == PythonParser.FOR || type == PythonParser.WITH;
    }

    private static CompileError at(String file, Token t, String message) {
        return new CompileError(file, t.getLine(), t.getCharPositionInLine() + 1, message);
    }

    private static boolean isDefaultOfParameter(ParserRuleContext ctx, Token assign) {
        for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
            if (c instanceof PythonParser.ParamContext p) return p.ASSIGN() != null && p.ASSIGN().getSymbol() == assign;
            if (c instanceof PythonParser.LambdaParamContext p) return p.ASSIGN() != null && p.ASSIGN().getSymbol() == assign;
        }
        return false;
    }

    private static boolean forcedColon(ParserRuleContext c) {
        return c instanceof PythonParser.FuncDefContext || c instanceof PythonParser.ForStmtContext
                || c instanceof PythonParser.TryStmtContext || c instanceof PythonParser.FinallyClauseContext
                || c instanceof PythonParser.ElseClauseContext;
    }

    private static boolean inParameters(ParserRuleContext c) {
        return c instanceof PythonParser.ParametersContext || c instanceof PythonParser.ParamListContext
                || c instanceof PythonParser.ParamContext || c instanceof PythonParser.LambdaParamListContext
                || c instanceof PythonParser.LambdaParamContext || c instanceof PythonParser.LambdefContext
                || c instanceof PythonParser.ImportTargetsContext || c instanceof PythonParser.ImportAsNameContext;
    }

    /** "var-keyword" or "var-positional" when '=' follows a **name or *name parameter, else null. */
    private static String starredParameterBefore(CommonTokenStream tokens, Token assign, ParserRuleContext ctx) {
        if (!inParameters(ctx)) return null;
        int i = assign.getTokenIndex() - 1;
        while (i > 0 && tokens.get(i).getType() != PythonParser.COMMA && tokens.get(i).getType() != PythonParser.OPEN_PAREN
                && tokens.get(i).getType() != PythonParser.LAMBDA) {
            i--;
        }
        Token first = tokens.get(i + 1);
        if (first.getType() == PythonParser.POWER) return "var-keyword";
        if (first.getType() == PythonParser.STAR) return "var-positional";
        return null;
    }

    /** The argument just parsed when the parser stopped inside a call's argument list, else null. */
    private static PythonParser.ArgumentContext lastArgument(ParserRuleContext ctx) {
        PythonParser.ArgListContext list = null;
        if (ctx instanceof PythonParser.ArgListContext a) list = a;
        else if (ctx instanceof PythonParser.TrailerContext t) list = t.argList();
        else if (ctx instanceof PythonParser.ClassDefContext c) list = c.argList();
        if (list == null || list.argument().isEmpty()) return null;
        return list.argument(list.argument().size() - 1);
    }

    private static IntervalSet expectedTokens(RecognitionException e) {
        try {
            return e.getExpectedTokens();
        } catch (RuntimeException ignored) {
            return null;   // no parser state recorded: fall back to the generic message
        }
    }

    private static Token previous(CommonTokenStream tokens, Token t) {
        int i = t.getTokenIndex();
        return i > 0 ? tokens.get(i - 1) : null;
    }

    /** The type of the token after {@code t}, lexing it if need be; EOF when there is none or it is bad. */
    private static int typeAfter(CommonTokenStream tokens, Token t) {
        try {
            tokens.seek(t.getTokenIndex());
            return tokens.LA(2);
        } catch (LexicalError e) {
            return Token.EOF;
        }
    }

    private static boolean startsStatement(CommonTokenStream tokens, Token t) {
        Token before = previous(tokens, t);
        return before == null || switch (before.getType()) {
            case PythonParser.NEWLINE, PythonParser.INDENT, PythonParser.DEDENT, PythonParser.SEMI -> true;
            default -> false;
        };
    }

    private static boolean insideBrackets(CommonTokenStream tokens, Token t) {
        int depth = 0;
        for (int i = 0; i < t.getTokenIndex(); i++) {
            switch (tokens.get(i).getType()) {
                case PythonParser.OPEN_PAREN, PythonParser.OPEN_BRACK, PythonParser.OPEN_BRACE -> depth++;
                case PythonParser.CLOSE_PAREN, PythonParser.CLOSE_BRACK, PythonParser.CLOSE_BRACE -> depth--;
                default -> { }
            }
        }
        return depth > 0;
    }

    private static boolean endsOperand(int type) {
        return switch (type) {
            case PythonParser.NAME, PythonParser.NUMBER, PythonParser.STRING, PythonParser.NONE, PythonParser.TRUE,
                 PythonParser.FALSE, PythonParser.ELLIPSIS, PythonParser.CLOSE_PAREN, PythonParser.CLOSE_BRACK,
                 PythonParser.CLOSE_BRACE -> true;
            default -> false;
        };
    }

    private static boolean startsOperand(int type) {
        return switch (type) {
            case PythonParser.NAME, PythonParser.NUMBER, PythonParser.STRING, PythonParser.NONE, PythonParser.TRUE,
                 PythonParser.FALSE, PythonParser.ELLIPSIS, PythonParser.OPEN_PAREN, PythonParser.OPEN_BRACK,
                 PythonParser.OPEN_BRACE, PythonParser.LAMBDA, PythonParser.NOT_OP -> true;
            default -> false;
        };
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
