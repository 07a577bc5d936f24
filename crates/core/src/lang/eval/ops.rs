//! Unary and binary operators. Operands convert as Terraform converts them (`"1" + 1` is 2);
//! an unknown operand gives an unknown of the operator's result type; a sensitive operand
//! makes the result sensitive.

use super::Evaluator;
use crate::diag::Diagnostic;
use crate::lang::convert::convert;
use crate::lang::ir::{Binary, BinaryOperator, Expr, UnaryOperator};
use crate::lang::{Number, Type, Value};

/// Which operand a conversion error is about, for the message.
#[derive(Clone, Copy)]
enum Side {
    Only,
    Left,
    Right,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Side::Only => "operand",
            Side::Left => "left operand",
            Side::Right => "right operand",
        }
    }
}

/// A converted operand: `None` when it is unknown (or failed to convert, already reported).
type Operand<T> = Option<T>;

impl Evaluator<'_> {
    pub(super) fn unary(&mut self, operator: UnaryOperator, operand: &Expr) -> Value {
        let (v, marked) = self.expr(operand).unmark();
        let result = match operator {
            UnaryOperator::Neg => match self.number(v, operand, Side::Only) {
                Some(n) => Value::Number(n.neg()),
                None => Value::Unknown(Type::Number),
            },
            UnaryOperator::Not => match self.boolean(v, operand, Side::Only) {
                Some(b) => Value::Bool(!b),
                None => Value::Unknown(Type::Bool),
            },
        };
        result.mark_if(marked)
    }

    pub(super) fn binary(&mut self, op: &Binary) -> Value {
        use BinaryOperator as B;
        let (l, lm) = self.expr(&op.lhs).unmark();
        let (r, rm) = self.expr(&op.rhs).unmark();
        let marked = lm | rm;
        let operator = op.op;
        let result = match operator {
            B::Eq | B::NotEq => equality(l, r, operator == B::Eq),
            B::And | B::Or => {
                let a = self.boolean(l, &op.lhs, Side::Left);
                let b = self.boolean(r, &op.rhs, Side::Right);
                // A known deciding operand settles the result even if the other is unknown.
                let decider = operator == B::Or;
                match (a, b) {
                    (Some(x), _) | (_, Some(x)) if x == decider => Value::Bool(decider),
                    (Some(_), Some(_)) => Value::Bool(!decider),
                    _ => Value::Unknown(Type::Bool),
                }
            }
            _ => {
                let a = self.number(l, &op.lhs, Side::Left);
                let b = self.number(r, &op.rhs, Side::Right);
                let (Some(a), Some(b)) = (a, b) else {
                    let ty = if is_comparison(operator) {
                        Type::Bool
                    } else {
                        Type::Number
                    };
                    return Value::Unknown(ty).mark_if(marked);
                };
                self.arithmetic(op, &a, &b)
            }
        };
        result.mark_if(marked)
    }

    /// A binary operator other than equality and logic on two known numbers.
    fn arithmetic(&mut self, op: &Binary, a: &Number, b: &Number) -> Value {
        use BinaryOperator as B;
        let operator = op.op;
        if matches!(operator, B::Div | B::Mod) && b.signum() == 0 {
            let what = if operator == B::Div {
                "Division"
            } else {
                "Modulo"
            };
            return self.error_at(
                op.rhs.pos,
                "Operation failed",
                format!("Error during operation: {what} by zero is not allowed."),
            );
        }
        let (result, nan) = match operator {
            B::Plus => (a.add(b), "can't compute sum of opposing infinities"),
            B::Minus => (a.sub(b), "can't subtract infinity from itself"),
            B::Mul => (a.mul(b), "can't multiply zero by infinity"),
            B::Div => (
                a.div(b),
                "can't divide zero by zero or infinity by infinity",
            ),
            // Terraform's modulo keeps the sign of the dividend.
            B::Mod => (a.rem(b), "can't use modulo with zero and infinity"),
            _ => {
                let order = a.cmp_num(b);
                return Value::Bool(match operator {
                    B::Less => order.is_lt(),
                    // cty: less, or equal as its equality has it.
                    B::LessEq => order.is_lt() || a == b,
                    B::Greater => order.is_gt(),
                    _ => order.is_gt() || a == b,
                });
            }
        };
        match result {
            Ok(n) => Value::Number(n),
            Err(_) => self.error_at(
                op.rhs.pos,
                "Operation failed",
                format!("Error during operation: {nan}."),
            ),
        }
    }

    fn number(&mut self, v: Value, expr: &Expr, side: Side) -> Operand<Number> {
        self.operand(v, expr, side, &Type::Number, "a number is required")
            .and_then(|v| v.as_num().cloned())
    }

    fn boolean(&mut self, v: Value, expr: &Expr, side: Side) -> Operand<bool> {
        self.operand(v, expr, side, &Type::Bool, "a bool is required")
            .and_then(|v| v.as_bool())
    }

    fn operand(
        &mut self,
        v: Value,
        expr: &Expr,
        side: Side,
        ty: &Type,
        need: &str,
    ) -> Operand<Value> {
        if v.is_unknown() {
            return None;
        }
        if v.is_null() {
            self.fail(
                Diagnostic::error("Invalid operand")
                    .detail(format!(
                        "Unsuitable value for {}: {need}, but the value is null.",
                        side.label()
                    ))
                    .subject_opt(self.span(expr.pos)),
            );
            return None;
        }
        match convert(v, ty) {
            Ok(v) => Some(v),
            Err(_) => {
                self.error_at(
                    expr.pos,
                    "Invalid operand",
                    format!("Unsuitable value for {}: {need}.", side.label()),
                );
                None
            }
        }
    }
}

fn is_comparison(op: BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(op, B::Less | B::LessEq | B::Greater | B::GreaterEq)
}

/// `==`/`!=`: deep equality without conversion (`1 == "1"` is false). Marks nested in the
/// operands do not affect equality but make the result sensitive.
fn equality(l: Value, r: Value, want_equal: bool) -> Value {
    let (l, lm) = l.deep_unmark();
    let (r, rm) = r.deep_unmark();
    if !l.is_wholly_known() || !r.is_wholly_known() {
        return Value::Unknown(Type::Bool).mark_if(lm | rm);
    }
    Value::Bool((l == r) == want_equal).mark_if(lm | rm)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{ev, ev_err};
    use super::*;

    #[test]
    fn arithmetic_converts_operands() {
        assert_eq!(ev("1 + 2 * 3"), Value::int(7));
        assert_eq!(ev("\"1\" + 1"), Value::int(2));
        assert_eq!(ev("7 / 2"), Value::number(3.5));
        assert_eq!(ev("-7 % 3"), Value::int(-1));
        assert_eq!(ev("-n"), Value::int(-2));
        assert_eq!(ev("n - 5"), Value::int(-3));
        let (summary, detail, covered) = ev_err("1 / (n - 2)");
        assert_eq!(summary, "Operation failed");
        assert!(detail.contains("Division by zero"));
        assert_eq!(covered, "(n - 2)");
        let (summary, detail, covered) = ev_err("s + 1");
        assert_eq!(summary, "Invalid operand");
        assert_eq!(
            detail,
            "Unsuitable value for left operand: a number is required."
        );
        assert_eq!(covered, "s");
        assert!(ev_err("1 + nul").1.contains("right operand"));
    }

    #[test]
    fn comparisons_equality_and_logic() {
        assert_eq!(ev("1 == 1.0"), Value::Bool(true));
        assert_eq!(ev("1 == \"1\""), Value::Bool(false));
        assert_eq!(ev("[1, {a = 2}] == [1, {a = 2}]"), Value::Bool(true));
        // A map and an object are of different types, as in Terraform.
        assert_eq!(ev("m != {a = 1, b = 2}"), Value::Bool(true));
        assert_eq!(ev("m == tomap({a = 1, b = 2})"), Value::Bool(true));
        assert_eq!(ev("[1] == tolist([1])"), Value::Bool(false));
        assert_eq!(ev("nul == null"), Value::Bool(true));
        assert_eq!(ev("n < 3 && n >= 2"), Value::Bool(true));
        assert_eq!(ev("n > 3 || !t"), Value::Bool(false));
        assert_eq!(ev("\"true\" && t"), Value::Bool(true));
        assert_eq!(ev_err("1 && t").0, "Invalid operand");
        assert_eq!(ev_err("!1").0, "Invalid operand");
    }

    #[test]
    fn unknown_and_sensitive_operands() {
        assert_eq!(ev("u + 1"), Value::Unknown(Type::Number));
        assert_eq!(ev("u < 1"), Value::Unknown(Type::Bool));
        assert_eq!(ev("u == 1"), Value::Unknown(Type::Bool));
        assert_eq!(ev("[u] == [1]"), Value::Unknown(Type::Bool));
        assert_eq!(ev("!u"), Value::Unknown(Type::Bool));
        assert_eq!(ev("u && false"), Value::Bool(false));
        assert_eq!(ev("u || true"), Value::Bool(true));
        assert_eq!(ev("u && true"), Value::Unknown(Type::Bool));
        assert_eq!(ev("secret == \"pw\""), Value::Bool(true).sensitive());
        assert_eq!(ev("[secret] == [\"pw\"]"), Value::Bool(true).sensitive());
    }
}
