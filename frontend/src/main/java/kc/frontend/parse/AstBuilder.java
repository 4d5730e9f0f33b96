package kc.frontend.parse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import kc.frontend.CompileError;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import kc.frontend.ast.Stmt;
import kc.grammar.PythonParser;
import kc.grammar.PythonParser.*;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds kc's AST from ANTLR's parse tree, one method per grammar rule, and performs the checks CPython makes
 * after parsing (assignment targets, parameter and argument order, break/continue/return/yield placement).
 * Positions are those of each node's first token, parentheses included, as in CPython.
 */
final class AstBuilder {
    private final String file;
    private final StringLiterals strings;

    /**
     * Where the statement being built stands: directly in a function body (return and yield allowed; a class
     * body in between resets it), somewhere inside a function (nonlocal allowed), inside a loop.
     */
    private boolean inFunction;
    private boolean underFunction;
    private boolean inClass;
    private boolean inLoop;
    /** Inside a comprehension's own scope, what it is ("list comprehension"); null outside. */
    private String comprehension;

    AstBuilder(String file) {
        this.file = file;
        this.strings = new StringLiterals(file, this);
    }

    // ---------------------------------------------------------------- statements

    List<Stmt> module(FileInputContext c) {
        List<Stmt> body = new ArrayList<>();
        for (StmtContext s : c.stmt()) stmt(s, body);
        return body;
    }

    private void stmt(StmtContext c, List<Stmt> out) {
        if (c.simpleStmts() != null) {
            simpleStmts(c.simpleStmts(), out);
        } else {
            out.add(compound(c.compoundStmt()));
        }
    }

    private void simpleStmts(SimpleStmtsContext c, List<Stmt> out) {
        for (SimpleStmtContext s : c.simpleStmt()) out.add(simple(s));
    }

    private List<Stmt> block(BlockContext c) {
        List<Stmt> body = new ArrayList<>();
        if (c.simpleStmts() != null) {
            simpleStmts(c.simpleStmts(), body);
        } else {
            for (StmtContext s : c.stmt()) stmt(s, body);
        }
        return body;
    }

    /** A loop body: break and continue become legal; a function or class body resets both flags. */
    private List<Stmt> loopBody(BlockContext c) {
        boolean saved = inLoop;
        inLoop = true;
        try {
            return block(c);
        } finally {
            inLoop = saved;
        }
    }

    private Stmt simple(SimpleStmtContext c) {
        Pos pos = pos(c.start);
        if (c.exprStmt() != null) return exprStmt(c.exprStmt());
        if (c.passStmt() != null) return new Stmt.Pass(pos);
        if (c.breakStmt() != null) {
            if (!inLoop) throw error(pos, "'break' outside loop");
            return new Stmt.Break(pos);
        }
        if (c.continueStmt() != null) {
            if (!inLoop) throw error(pos, "'continue' not properly in loop");
            return new Stmt.Continue(pos);
        }
        if (c.returnStmt() != null) {
            if (!inFunction) throw error(pos, "'return' outside function");
            var value = c.returnStmt().testListStarExpr();
            return new Stmt.Return(pos, value == null ? null : testListStarExpr(value));
        }
        if (c.delStmt() != null) {
            ExprListContext list = c.delStmt().exprList();
            List<Expr> targets = list.COMMA().isEmpty() ? List.of(exprList(list)) : exprListElements(list);
            for (Expr t : targets) Targets.checkDelete(file, t);
            return new Stmt.Delete(pos, targets);
        }
        if (c.raiseStmt() != null) {
            List<TestContext> tests = c.raiseStmt().test();
            return new Stmt.Raise(pos, tests.isEmpty() ? null : test(tests.get(0)),
                    tests.size() < 2 ? null : test(tests.get(1)));
        }
        if (c.globalStmt() != null) return new Stmt.Global(pos, names(c.globalStmt().NAME()));
        if (c.nonlocalStmt() != null) {
            if (!underFunction) {
                // CPython's two wordings: at module level, and in a class body with no function around it.
                throw error(pos, inClass ? "no binding for nonlocal '" + c.nonlocalStmt().NAME(0).getText() + "' found"
                        : "nonlocal declaration not allowed at module level");
            }
            return new Stmt.Nonlocal(pos, names(c.nonlocalStmt().NAME()));
        }
        if (c.importName() != null) {
            List<Stmt.Alias> aliases = new ArrayList<>();
            for (DottedAsNameContext d : c.importName().dottedAsName()) {
                aliases.add(new Stmt.Alias(dotted(d.dottedName()), d.NAME() == null ? null : d.NAME().getText()));
            }
            return new Stmt.Import(pos, aliases);
        }
        if (c.importFrom() != null) return importFrom(c.importFrom());
        if (c.assertStmt() != null) {
            List<TestContext> tests = c.assertStmt().test();
            return new Stmt.Assert(pos, test(tests.get(0)), tests.size() < 2 ? null : test(tests.get(1)));
        }
        throw unknown(c);
    }

    private Stmt exprStmt(ExprStmtContext c) {
        Pos pos = pos(c.start);
        if (c.testListStarExpr().isEmpty()) return new Stmt.ExprStmt(pos, yieldExpr(c.yieldExpr(0)));
        if (c.annAssign() != null) {
            AnnAssignContext a = c.annAssign();
            Expr target = testListStarExpr(c.testListStarExpr(0));
            Targets.checkAnnotated(file, target);
            Expr value = a.yieldExpr() != null ? yieldExpr(a.yieldExpr())
                    : a.testListStarExpr() != null ? testListStarExpr(a.testListStarExpr()) : null;
            return new Stmt.AnnAssign(pos, target, test(a.test()), value);
        }
        if (c.augAssign() != null) {
            Expr target = testListStarExpr(c.testListStarExpr(0));
            Targets.checkAugmented(file, target);
            Expr value = c.yieldExpr().isEmpty() ? testListStarExpr(c.testListStarExpr(1)) : yieldExpr(c.yieldExpr(0));
            return new Stmt.AugAssign(pos, target, augOp(c.augAssign().start), value);
        }
        // testListStarExpr ( '=' (yieldExpr | testListStarExpr) )*: every part but the last is a target, where a
        // lone starred name is let through to get the assignment-specific message.
        List<ParserRuleContext> raw = new ArrayList<>();
        for (ParseTree child : c.children) {
            if (child instanceof TestListStarExprContext || child instanceof YieldExprContext) raw.add((ParserRuleContext) child);
        }
        List<Expr> parts = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            boolean target = i < raw.size() - 1;
            parts.add(raw.get(i) instanceof TestListStarExprContext t ? testListStarExpr(t, target) : yieldExpr((YieldExprContext) raw.get(i)));
        }
        if (parts.size() == 1) return new Stmt.ExprStmt(pos, parts.get(0));
        List<Expr> targets = parts.subList(0, parts.size() - 1);
        for (Expr t : targets) Targets.checkAssignStatement(file, t);
        return new Stmt.Assign(pos, targets, parts.get(parts.size() - 1));
    }

    private static Expr.BinOpKind augOp(Token t) {
        return switch (t.getType()) {
            case PythonParser.ADD_ASSIGN -> Expr.BinOpKind.ADD;
            case PythonParser.SUB_ASSIGN -> Expr.BinOpKind.SUB;
            case PythonParser.MULT_ASSIGN -> Expr.BinOpKind.MUL;
            case PythonParser.AT_ASSIGN -> Expr.BinOpKind.MATMUL;
            case PythonParser.DIV_ASSIGN -> Expr.BinOpKind.DIV;
            case PythonParser.MOD_ASSIGN -> Expr.BinOpKind.MOD;
            case PythonParser.AND_ASSIGN -> Expr.BinOpKind.BITAND;
            case PythonParser.OR_ASSIGN -> Expr.BinOpKind.BITOR;
            case PythonParser.XOR_ASSIGN -> Expr.BinOpKind.BITXOR;
            case PythonParser.LEFT_SHIFT_ASSIGN -> Expr.BinOpKind.LSHIFT;
            case PythonParser.RIGHT_SHIFT_ASSIGN -> Expr.BinOpKind.RSHIFT;
            case PythonParser.POWER_ASSIGN -> Expr.BinOpKind.POW;
            case PythonParser.IDIV_ASSIGN -> Expr.BinOpKind.FLOORDIV;
            default -> throw new IllegalStateException("augmented assignment token " + t.getText());
        };
    }

    private Stmt importFrom(ImportFromContext c) {
        int level = c.DOT().size() + 3 * c.ELLIPSIS().size();
        String module = c.dottedName() == null ? null : dotted(c.dottedName());
        if (module == null && level == 0) throw error(pos(c.IMPORT().getSymbol()), "invalid syntax");
        List<Stmt.Alias> names = new ArrayList<>();
        ImportTargetsContext targets = c.importTargets();
        if (targets.STAR() != null) {
            names.add(new Stmt.Alias("*", null));
        } else {
            for (ImportAsNameContext n : targets.importAsName()) {
                names.add(new Stmt.Alias(n.NAME(0).getText(), n.NAME().size() > 1 ? n.NAME(1).getText() : null));
            }
        }
        return new Stmt.ImportFrom(pos(c.start), module, names, level);
    }

    private static String dotted(DottedNameContext c) {
        StringBuilder b = new StringBuilder();
        for (TerminalNode n : c.NAME()) {
            if (!b.isEmpty()) b.append('.');
            b.append(n.getText());
        }
        return b.toString();
    }

    private static List<String> names(List<TerminalNode> nodes) {
        List<String> names = new ArrayList<>(nodes.size());
        for (TerminalNode n : nodes) names.add(n.getText());
        return names;
    }

    private Stmt compound(CompoundStmtContext c) {
        if (c.ifStmt() != null) return ifStmt(c.ifStmt());
        if (c.forStmt() != null) {
            ForStmtContext f = c.forStmt();
            Expr target = exprList(f.exprList());
            Targets.checkAssign(file, target);
            return new Stmt.For(pos(f.start), target, testListStarExpr(f.testListStarExpr()), loopBody(f.block()),
                    f.elseClause() == null ? List.of() : block(f.elseClause().block()));
        }
        if (c.whileStmt() != null) {
            WhileStmtContext w = c.whileStmt();
            return new Stmt.While(pos(w.start), namedExprTest(w.namedExprTest()), loopBody(w.block()),
                    w.elseClause() == null ? List.of() : block(w.elseClause().block()));
        }
        if (c.tryStmt() != null) return tryStmt(c.tryStmt());
        if (c.withStmt() != null) {
            WithStmtContext w = c.withStmt();
            List<Stmt.WithItem> items = new ArrayList<>();
            for (WithItemContext item : w.withItem()) {
                Expr target = item.expr() == null ? null : expr(item.expr());
                if (target != null) Targets.checkAssign(file, target);
                items.add(new Stmt.WithItem(test(item.test()), target));
            }
            return new Stmt.With(pos(w.start), items, block(w.block()));
        }
        if (c.funcDef() != null) return funcDef(c.funcDef(), List.of());
        if (c.classDef() != null) return classDef(c.classDef(), List.of());
        if (c.decorated() != null) {
            DecoratedContext d = c.decorated();
            List<Expr> decorators = new ArrayList<>();
            for (DecoratorContext dec : d.decorator()) decorators.add(namedExprTest(dec.namedExprTest()));
            return d.funcDef() != null ? funcDef(d.funcDef(), decorators) : classDef(d.classDef(), decorators);
        }
        throw unknown(c);
    }

    private Stmt ifStmt(IfStmtContext c) {
        // Built in source order so that errors surface in source order; elif chains then nest as in CPython:
        // each elif is an If in the orElse of the test before it.
        Expr test = namedExprTest(c.namedExprTest());
        List<Stmt> body = block(c.block());
        List<ElifClauseContext> elifs = c.elifClause();
        List<Expr> elifTests = new ArrayList<>();
        List<List<Stmt>> elifBodies = new ArrayList<>();
        for (ElifClauseContext e : elifs) {
            elifTests.add(namedExprTest(e.namedExprTest()));
            elifBodies.add(block(e.block()));
        }
        List<Stmt> orElse = c.elseClause() == null ? List.of() : block(c.elseClause().block());
        for (int i = elifs.size() - 1; i >= 0; i--) {
            orElse = List.of(new Stmt.If(pos(elifs.get(i).start), elifTests.get(i), elifBodies.get(i), orElse));
        }
        return new Stmt.If(pos(c.start), test, body, orElse);
    }

    private Stmt tryStmt(TryStmtContext c) {
        List<Stmt> body = block(c.block());
        List<Stmt.Handler> handlers = new ArrayList<>();
        List<ExceptClauseContext> clauses = c.exceptClause();
        for (int i = 0; i < clauses.size(); i++) {
            ExceptClauseContext e = clauses.get(i);
            if (e.test() == null && i < clauses.size() - 1) throw error(pos(e.start), "default 'except:' must be last");
            handlers.add(new Stmt.Handler(pos(e.start), e.test() == null ? null : test(e.test()),
                    e.NAME() == null ? null : e.NAME().getText(), block(e.block())));
        }
        List<Stmt> orElse = c.elseClause() == null ? List.of() : block(c.elseClause().block());
        List<Stmt> finalBody = c.finallyClause() == null ? List.of() : block(c.finallyClause().block());
        return new Stmt.Try(pos(c.start), body, handlers, orElse, finalBody);
    }

    private Stmt funcDef(FuncDefContext c, List<Expr> decorators) {
        ParamListContext pl = c.parameters().paramList();
        List<Stmt.Param> params = pl == null ? List.of() : params(pl.param());
        Expr returns = c.test() == null ? null : test(c.test());
        boolean savedFunction = inFunction, savedUnder = underFunction, savedLoop = inLoop;
        inFunction = underFunction = true;
        inLoop = false;
        try {
            return new Stmt.FunctionDef(pos(c.start), c.NAME().getText(), params, block(c.block()), decorators, returns);
        } finally {
            inFunction = savedFunction;
            underFunction = savedUnder;
            inLoop = savedLoop;
        }
    }

    private Stmt classDef(ClassDefContext c, List<Expr> decorators) {
        List<Expr> bases = new ArrayList<>();
        List<Expr.Keyword> keywords = new ArrayList<>();
        if (c.argList() != null) arguments(c.argList(), null, bases, keywords);
        boolean savedFunction = inFunction, savedClass = inClass, savedLoop = inLoop;
        inFunction = false;
        inClass = true;
        inLoop = false;
        try {
            return new Stmt.ClassDef(pos(c.start), c.NAME().getText(), bases, keywords, block(c.block()), decorators);
        } finally {
            inFunction = savedFunction;
            inClass = savedClass;
            inLoop = savedLoop;
        }
    }

    // ---------------------------------------------------------------- parameters

    private List<Stmt.Param> params(List<ParamContext> raw) {
        ParamChecker check = new ParamChecker();
        for (ParamContext p : raw) {
            Pos pos = pos(p.start);
            if (p.DIV() != null) {
                check.slash(pos);
            } else if (p.STAR() != null) {
                check.star(pos, p.NAME() == null ? null : p.NAME().getText(), p.test().isEmpty() ? null : test(p.test(0)));
            } else if (p.POWER() != null) {
                check.kwargs(pos, p.NAME().getText(), p.test().isEmpty() ? null : test(p.test(0)));
            } else {
                List<TestContext> tests = p.test();
                Expr annotation = p.COLON() != null ? test(tests.get(0)) : null;
                Expr dflt = p.ASSIGN() != null ? test(tests.get(tests.size() - 1)) : null;
                check.named(pos, p.NAME().getText(), dflt, annotation);
            }
        }
        return check.finish();
    }

    private List<Stmt.Param> lambdaParams(List<LambdaParamContext> raw) {
        ParamChecker check = new ParamChecker();
        for (LambdaParamContext p : raw) {
            Pos pos = pos(p.start);
            if (p.DIV() != null) check.slash(pos);
            else if (p.STAR() != null) check.star(pos, p.NAME() == null ? null : p.NAME().getText(), null);
            else if (p.POWER() != null) check.kwargs(pos, p.NAME().getText(), null);
            else check.named(pos, p.NAME().getText(), p.test() == null ? null : test(p.test()), null);
        }
        return check.finish();
    }

    /** CPython's rules for the order of parameters, checked one parameter at a time. */
    private final class ParamChecker {
        final List<Stmt.Param> params = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        boolean sawSlash, sawStar, sawDefault, sawKwargs;
        Pos bareStar;   // a '*' with no name, until a keyword-only parameter follows it

        void slash(Pos pos) {
            if (sawKwargs) throw error(pos, "arguments cannot follow var-keyword argument");
            if (sawSlash) throw error(pos, "/ may appear only once");
            if (sawStar) throw error(pos, "/ must be ahead of *");
            if (params.isEmpty()) throw error(pos, "at least one argument must precede /");
            sawSlash = true;
        }

        void star(Pos pos, String name, Expr annotation) {
            if (sawKwargs) throw error(pos, "arguments cannot follow var-keyword argument");
            if (sawStar) throw error(pos, "* argument may appear only once");
            sawStar = true;
            if (name == null) {
                bareStar = pos;
            } else {
                add(new Stmt.Param(pos, name, Stmt.ParamKind.VARARGS, null, annotation));
            }
        }

        void kwargs(Pos pos, String name, Expr annotation) {
            if (sawKwargs) throw error(pos, "arguments cannot follow var-keyword argument");
            checkBareStar();
            sawKwargs = true;
            add(new Stmt.Param(pos, name, Stmt.ParamKind.KWARGS, null, annotation));
        }

        void named(Pos pos, String name, Expr dflt, Expr annotation) {
            if (sawKwargs) throw error(pos, "arguments cannot follow var-keyword argument");
            if (sawStar) {
                bareStar = null;
                add(new Stmt.Param(pos, name, Stmt.ParamKind.KEYWORD_ONLY, dflt, annotation));
                return;
            }
            if (dflt != null) sawDefault = true;
            else if (sawDefault) throw error(pos, "parameter without a default follows parameter with a default");
            add(new Stmt.Param(pos, name, Stmt.ParamKind.POSITIONAL, dflt, annotation));
        }

        private void add(Stmt.Param p) {
            if (!seen.add(p.name())) throw error(p.pos(), "duplicate argument '" + p.name() + "' in function definition");
            params.add(p);
        }

        private void checkBareStar() {
            if (bareStar != null) throw error(bareStar, "named arguments must follow bare *");
        }

        List<Stmt.Param> finish() {
            checkBareStar();
            return params;
        }
    }

    // ---------------------------------------------------------------- expressions

    Expr fstringField(FstringInputContext c) {
        return c.yieldExpr() != null ? yieldExpr(c.yieldExpr()) : testListStarExpr(c.testListStarExpr());
    }

    private Expr yieldExpr(YieldExprContext c) {
        Pos pos = pos(c.start);
        if (comprehension != null) throw error(pos, "'yield' inside " + comprehension);
        if (!inFunction) throw error(pos, "'yield' outside function");
        if (c.FROM() != null) throw error(pos, "'yield from' is not supported");
        return new Expr.Yield(pos, c.testListStarExpr() == null ? null : testListStarExpr(c.testListStarExpr()));
    }

    private Expr namedExprTest(NamedExprTestContext c) {
        Expr first = test(c.test(0));
        if (c.WALRUS() == null) return first;
        if (!(first instanceof Expr.Name name)) {
            throw error(first.pos(), "cannot use assignment expressions with " + Targets.describe(first));
        }
        return new Expr.NamedExpr(pos(c.start), name.id(), test(c.test(1)));
    }

    private Expr test(TestContext c) {
        if (c.lambdef() != null) return lambdef(c.lambdef());
        Expr body = orTest(c.orTest(0));
        if (c.IF() == null) return body;
        return new Expr.IfExp(pos(c.start), orTest(c.orTest(1)), body, test(c.test()));
    }

    private Expr lambdef(LambdefContext c) {
        List<Stmt.Param> params = c.lambdaParamList() == null ? List.of() : lambdaParams(c.lambdaParamList().lambdaParam());
        // A lambda body is a function body: yield is legal there, break and continue of an outer loop are not
        // reachable because a lambda holds one expression.
        boolean saved = inFunction;
        String savedComprehension = comprehension;
        inFunction = true;
        comprehension = null;
        try {
            return new Expr.Lambda(pos(c.start), params, test(c.test()));
        } finally {
            inFunction = saved;
            comprehension = savedComprehension;
        }
    }

    private Expr orTest(OrTestContext c) {
        List<AndTestContext> parts = c.andTest();
        if (parts.size() == 1) return andTest(parts.get(0));
        List<Expr> values = new ArrayList<>(parts.size());
        for (AndTestContext p : parts) values.add(andTest(p));
        return new Expr.BoolOp(pos(c.start), false, values);
    }

    private Expr andTest(AndTestContext c) {
        List<NotTestContext> parts = c.notTest();
        if (parts.size() == 1) return notTest(parts.get(0));
        List<Expr> values = new ArrayList<>(parts.size());
        for (NotTestContext p : parts) values.add(notTest(p));
        return new Expr.BoolOp(pos(c.start), true, values);
    }

    private Expr notTest(NotTestContext c) {
        if (c.NOT() != null) return new Expr.UnaryOp(pos(c.start), Expr.UnaryOpKind.NOT, notTest(c.notTest()));
        return comparison(c.comparison());
    }

    private Expr comparison(ComparisonContext c) {
        List<ExprContext> parts = c.expr();
        Expr left = expr(parts.get(0));
        if (parts.size() == 1) return left;
        List<Expr.CmpOp> ops = new ArrayList<>();
        List<Expr> comparators = new ArrayList<>();
        for (int i = 1; i < parts.size(); i++) {
            ops.add(compOp(c.compOp(i - 1)));
            comparators.add(expr(parts.get(i)));
        }
        return new Expr.Compare(pos(c.start), left, ops, comparators);
    }

    private static Expr.CmpOp compOp(CompOpContext c) {
        return switch (c.start.getType()) {
            case PythonParser.LESS_THAN -> Expr.CmpOp.LT;
            case PythonParser.GREATER_THAN -> Expr.CmpOp.GT;
            case PythonParser.EQUALS -> Expr.CmpOp.EQ;
            case PythonParser.GT_EQ -> Expr.CmpOp.GE;
            case PythonParser.LT_EQ -> Expr.CmpOp.LE;
            case PythonParser.NOT_EQ -> Expr.CmpOp.NE;
            case PythonParser.IN -> Expr.CmpOp.IN;
            case PythonParser.NOT -> Expr.CmpOp.NOT_IN;
            case PythonParser.IS -> c.NOT() != null ? Expr.CmpOp.IS_NOT : Expr.CmpOp.IS;
            default -> throw new IllegalStateException("comparison token " + c.getText());
        };
    }

    private Expr starExpr(StarExprContext c) {
        return new Expr.Starred(pos(c.start), expr(c.expr()));
    }

    /** The bitwise-or level and every binary level below it share one shape: operand (op operand)*. */
    private Expr expr(ExprContext c) {
        return binary(c);
    }

    private Expr binary(ParserRuleContext c) {
        List<ParseTree> kids = c.children;
        Expr left = operand((ParserRuleContext) kids.get(0));
        for (int i = 1; i < kids.size(); i += 2) {
            Token op = ((TerminalNode) kids.get(i)).getSymbol();
            Expr right = operand((ParserRuleContext) kids.get(i + 1));
            left = new Expr.BinOp(pos(c.start), left, binOp(op), right);
        }
        return left;
    }

    private Expr operand(ParserRuleContext c) {
        if (c instanceof XorExprContext || c instanceof AndExprContext || c instanceof ShiftExprContext
                || c instanceof ArithExprContext || c instanceof TermContext) {
            return binary(c);
        }
        if (c instanceof FactorContext f) return factor(f);
        throw unknown(c);
    }

    private static Expr.BinOpKind binOp(Token t) {
        return switch (t.getType()) {
            case PythonParser.OR_OP -> Expr.BinOpKind.BITOR;
            case PythonParser.XOR -> Expr.BinOpKind.BITXOR;
            case PythonParser.AND_OP -> Expr.BinOpKind.BITAND;
            case PythonParser.LEFT_SHIFT -> Expr.BinOpKind.LSHIFT;
            case PythonParser.RIGHT_SHIFT -> Expr.BinOpKind.RSHIFT;
            case PythonParser.ADD -> Expr.BinOpKind.ADD;
            case PythonParser.MINUS -> Expr.BinOpKind.SUB;
            case PythonParser.STAR -> Expr.BinOpKind.MUL;
            case PythonParser.AT -> Expr.BinOpKind.MATMUL;
            case PythonParser.DIV -> Expr.BinOpKind.DIV;
            case PythonParser.MOD -> Expr.BinOpKind.MOD;
            case PythonParser.IDIV -> Expr.BinOpKind.FLOORDIV;
            case PythonParser.POWER -> Expr.BinOpKind.POW;
            default -> throw new IllegalStateException("binary operator token " + t.getText());
        };
    }

    private Expr factor(FactorContext c) {
        if (c.power() != null) return power(c.power());
        Expr.UnaryOpKind op = switch (c.start.getType()) {
            case PythonParser.ADD -> Expr.UnaryOpKind.POS;
            case PythonParser.MINUS -> Expr.UnaryOpKind.NEG;
            default -> Expr.UnaryOpKind.INVERT;
        };
        return new Expr.UnaryOp(pos(c.start), op, factor(c.factor()));
    }

    private Expr power(PowerContext c) {
        Expr base = atomExpr(c.atomExpr());
        if (c.factor() == null) return base;
        return new Expr.BinOp(pos(c.start), base, Expr.BinOpKind.POW, factor(c.factor()));
    }

    private Expr atomExpr(AtomExprContext c) {
        Expr e = atom(c.atom());
        Pos pos = pos(c.start);
        for (TrailerContext t : c.trailer()) {
            if (t.DOT() != null) {
                e = new Expr.Attribute(pos, e, t.NAME().getText());
            } else if (t.OPEN_PAREN() != null) {
                List<Expr> args = new ArrayList<>();
                List<Expr.Keyword> keywords = new ArrayList<>();
                if (t.argList() != null) arguments(t.argList(), t.OPEN_PAREN().getSymbol(), args, keywords);
                e = new Expr.Call(pos, e, args, keywords);
            } else {
                e = new Expr.Subscript(pos, e, subscriptList(t.subscriptList()));
            }
        }
        return e;
    }

    /** Call (or class) arguments, with CPython's ordering rules; {@code open} is the '(' of a call. */
    private void arguments(ArgListContext c, Token open, List<Expr> args, List<Expr.Keyword> keywords) {
        Set<String> names = new HashSet<>();
        boolean sawKeyword = false, sawDoubleStar = false;
        List<ArgumentContext> list = c.argument();
        for (ArgumentContext a : list) {
            Pos pos = pos(a.start);
            if (a.ASSIGN() != null) {
                String name = a.NAME().getText();
                if (!names.add(name)) throw error(pos, "keyword argument repeated: " + name);
                keywords.add(new Expr.Keyword(pos, name, test(a.test())));
                sawKeyword = true;
            } else if (a.POWER() != null) {
                keywords.add(new Expr.Keyword(pos, null, test(a.test())));
                sawDoubleStar = true;
            } else if (a.STAR() != null) {
                if (sawDoubleStar) throw error(pos, "iterable argument unpacking follows keyword argument unpacking");
                args.add(new Expr.Starred(pos, test(a.test())));
            } else {
                if (sawDoubleStar) throw error(pos, "positional argument follows keyword argument unpacking");
                if (sawKeyword) throw error(pos, "positional argument follows keyword argument");
                if (a.compFor() == null) {
                    args.add(namedExprTest(a.namedExprTest()));
                    continue;
                }
                if (list.size() > 1 || c.COMMA().size() > 0) throw error(pos, "Generator expression must be parenthesized");
                Expr element = inComprehension("generator expression", () -> namedExprTest(a.namedExprTest()));
                args.add(new Expr.Comprehension(open == null ? pos : pos(open), Expr.ComprehensionKind.GENERATOR,
                        element, compFor(a.compFor(), "generator expression")));
            }
        }
    }

    private Expr subscriptList(SubscriptListContext c) {
        List<SubscriptContext> subs = c.subscript();
        if (subs.size() == 1 && c.COMMA().isEmpty() && subs.get(0).starExpr() == null) return subscript(subs.get(0));
        List<Expr> elements = new ArrayList<>(subs.size());
        for (SubscriptContext s : subs) elements.add(subscript(s));
        return new Expr.Tuple(pos(c.start), elements);
    }

    private Expr subscript(SubscriptContext c) {
        if (c.starExpr() != null) return starExpr(c.starExpr());
        if (c.COLON() == null) return namedExprTest(c.namedExprTest());
        Expr lower = c.namedExprTest() == null ? null : namedExprTest(c.namedExprTest());
        Expr upper = c.test() == null ? null : test(c.test());
        SliceStepContext s = c.sliceStep();
        Expr step = s == null || s.test() == null ? null : test(s.test());
        return new Expr.Slice(pos(c.start), lower, upper, step);
    }

    private Expr atom(AtomContext c) {
        Pos pos = pos(c.start);
        switch (c.start.getType()) {
            case PythonParser.NAME:
                return new Expr.Name(pos, identifier(c.NAME().getText()));
            case PythonParser.NUMBER:
                return new Expr.Constant(pos, Numbers.value(file, pos, c.NUMBER().getText()));
            case PythonParser.STRING:
                return strings.literal(c.STRING());
            case PythonParser.ELLIPSIS:
                return new Expr.Constant(pos, Expr.ELLIPSIS);
            case PythonParser.NONE:
                return new Expr.Constant(pos, Expr.NONE);
            case PythonParser.TRUE:
                return new Expr.Constant(pos, Boolean.TRUE);
            case PythonParser.FALSE:
                return new Expr.Constant(pos, Boolean.FALSE);
            case PythonParser.OPEN_PAREN:
                if (c.yieldExpr() != null) return yieldExpr(c.yieldExpr());
                if (c.testListComp() == null) return new Expr.Tuple(pos, List.of());
                return parenthesized(pos, c.testListComp());
            case PythonParser.OPEN_BRACK: {
                TestListCompContext t = c.testListComp();
                if (t == null) return new Expr.ListExpr(pos, List.of());
                if (t.compFor() != null) return comprehension(pos, Expr.ComprehensionKind.LIST, t);
                return new Expr.ListExpr(pos, elements(t));
            }
            case PythonParser.OPEN_BRACE:
                return c.dictOrSetMaker() == null ? new Expr.Dict(pos, List.of(), List.of()) : dictOrSet(pos, c.dictOrSetMaker());
            default:
                throw unknown(c);
        }
    }

    /** Python admits identifiers in NFKC form only, so "ﬁle" and "file" are one name. */
    private static String identifier(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) return java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKC);
        }
        return text;
    }

    private Expr parenthesized(Pos pos, TestListCompContext t) {
        if (t.compFor() != null) return comprehension(pos, Expr.ComprehensionKind.GENERATOR, t);
        List<Expr> elements = elements(t);
        if (elements.size() == 1 && t.COMMA().isEmpty()) {
            Expr only = elements.get(0);
            if (only instanceof Expr.Starred s) throw error(s.pos(), "cannot use starred expression here");
            return only;
        }
        return new Expr.Tuple(pos, elements);
    }

    private List<Expr> elements(TestListCompContext t) {
        List<Expr> out = new ArrayList<>();
        for (ParseTree child : t.children) {
            if (child instanceof NamedExprTestContext n) out.add(namedExprTest(n));
            else if (child instanceof StarExprContext s) out.add(starExpr(s));
        }
        return out;
    }

    private Expr comprehension(Pos pos, Expr.ComprehensionKind kind, TestListCompContext t) {
        if (t.starExpr().size() > 0) throw error(pos(t.starExpr(0).start), "iterable unpacking cannot be used in comprehension");
        String what = kind == Expr.ComprehensionKind.LIST ? "list comprehension" : "generator expression";
        Expr element = inComprehension(what, () -> namedExprTest(t.namedExprTest(0)));
        return new Expr.Comprehension(pos, kind, element, compFor(t.compFor(), what));
    }

    /**
     * The for/if clauses of a comprehension. All but the first iterable run in the comprehension's own scope,
     * where CPython forbids yield.
     */
    private List<Expr.ForClause> compFor(CompForContext c, String what) {
        List<Expr.ForClause> clauses = new ArrayList<>();
        for (CompClauseContext clause : c.compClause()) {
            Expr target = inComprehension(what, () -> exprList(clause.exprList()));
            Targets.checkAssign(file, target);
            List<OrTestContext> tests = clause.orTest();
            Expr iter = clauses.isEmpty() ? orTest(tests.get(0)) : inComprehension(what, () -> orTest(tests.get(0)));
            List<Expr> conditions = new ArrayList<>();
            for (int i = 1; i < tests.size(); i++) {
                OrTestContext condition = tests.get(i);
                conditions.add(inComprehension(what, () -> orTest(condition)));
            }
            clauses.add(new Expr.ForClause(target, iter, conditions));
        }
        return clauses;
    }

    private <T> T inComprehension(String what, java.util.function.Supplier<T> build) {
        String saved = comprehension;
        comprehension = what;
        try {
            return build.get();
        } finally {
            comprehension = saved;
        }
    }

    private Expr dictOrSet(Pos pos, DictOrSetMakerContext c) {
        List<DictOrSetItemContext> items = c.dictOrSetItem();
        DictOrSetItemContext first = items.get(0);
        boolean isDict = first.COLON() != null || first.POWER() != null;
        for (DictOrSetItemContext item : items) {
            boolean dictItem = item.COLON() != null || item.POWER() != null;
            if (isDict && !dictItem) throw error(pos(item.start), "':' expected after dictionary key");
            if (!isDict && dictItem) {
                throw error(pos(item.COLON() != null ? item.COLON().getSymbol() : item.start), "invalid syntax");
            }
        }
        if (c.compFor() != null) {
            if (first.POWER() != null) throw error(pos(first.start), "dict unpacking cannot be used in dict comprehension");
            if (first.starExpr() != null) throw error(pos(first.start), "iterable unpacking cannot be used in comprehension");
            if (isDict) {
                Expr key = inComprehension("dict comprehension", () -> test(first.test(0)));
                Expr value = inComprehension("dict comprehension", () -> test(first.test(1)));
                return new Expr.DictComprehension(pos, key, value, compFor(c.compFor(), "dict comprehension"));
            }
            Expr element = inComprehension("set comprehension", () -> test(first.test(0)));
            return new Expr.Comprehension(pos, Expr.ComprehensionKind.SET, element, compFor(c.compFor(), "set comprehension"));
        }
        if (isDict) {
            List<Expr> keys = new ArrayList<>(), values = new ArrayList<>();
            for (DictOrSetItemContext item : items) {
                if (item.POWER() != null) {
                    keys.add(null);
                    values.add(expr(item.expr()));
                } else {
                    keys.add(test(item.test(0)));
                    values.add(test(item.test(1)));
                }
            }
            return new Expr.Dict(pos, keys, values);
        }
        List<Expr> elements = new ArrayList<>();
        for (DictOrSetItemContext item : items) {
            elements.add(item.starExpr() != null ? starExpr(item.starExpr()) : test(item.test(0)));
        }
        return new Expr.SetExpr(pos, elements);
    }

    /** exprList (always a target: for, del, comprehension for) and testListStarExpr become one Expr or a Tuple. */
    private Expr exprList(ExprListContext c) {
        return tupleOrSingle(c, exprListElements(c), !c.COMMA().isEmpty(), true);   // always a target
    }

    private List<Expr> exprListElements(ExprListContext c) {
        List<Expr> out = new ArrayList<>();
        for (ParseTree child : c.children) {
            if (child instanceof ExprContext e) out.add(expr(e));
            else if (child instanceof StarExprContext s) out.add(starExpr(s));
        }
        return out;
    }

    Expr testListStarExpr(TestListStarExprContext c) {
        return testListStarExpr(c, false);
    }

    private Expr testListStarExpr(TestListStarExprContext c, boolean target) {
        List<Expr> out = new ArrayList<>();
        for (ParseTree child : c.children) {
            if (child instanceof TestContext t) out.add(test(t));
            else if (child instanceof StarExprContext s) out.add(starExpr(s));
        }
        return tupleOrSingle(c, out, !c.COMMA().isEmpty(), target);
    }

    /**
     * One element without a comma is itself, else a Tuple. A lone starred element is an error, except as a
     * target, where {@link Targets} reports it with the message for its statement.
     */
    private Expr tupleOrSingle(ParserRuleContext c, List<Expr> elements, boolean hasComma, boolean target) {
        if (hasComma) return new Expr.Tuple(pos(c.start), elements);
        Expr only = elements.get(0);
        if (only instanceof Expr.Starred s && !target) throw error(s.pos(), "can't use starred expression here");
        return only;
    }

    // ---------------------------------------------------------------- helpers

    static Pos pos(Token t) {
        return new Pos(t.getLine(), t.getCharPositionInLine() + 1);
    }

    private CompileError error(Pos pos, String message) {
        return new CompileError(file, pos, message);
    }

    private CompileError unknown(ParserRuleContext c) {
        // Unreachable for trees of this grammar; a CompileError still beats a stack trace for the user.
        return error(pos(c.start), "invalid syntax");
    }
}
