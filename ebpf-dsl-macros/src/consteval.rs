//! Evaluating the integer expressions the macro can see through (`64`, `256 * 1024`,
//! `1 << 20`, `(4096 * 16)`): literals and arithmetic on them. Anything else (a Rust `const`,
//! a function call) is left to rustc: the expansion then carries a `const` assertion instead.

use syn::{BinOp, Expr, Lit, UnOp};

/// The value of `expr` if it is built only from integer literals, parentheses and
/// `+ - * / % << >> | & ^` (and unary minus), without overflow of `i128`.
pub fn eval(expr: &Expr) -> Option<i128> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse::<i128>().ok(),
            _ => None,
        },
        Expr::Paren(p) => eval(&p.expr),
        Expr::Group(g) => eval(&g.expr),
        Expr::Unary(u) => match u.op {
            UnOp::Neg(_) => eval(&u.expr)?.checked_neg(),
            _ => None,
        },
        Expr::Binary(b) => {
            let l = eval(&b.left)?;
            let r = eval(&b.right)?;
            match b.op {
                BinOp::Add(_) => l.checked_add(r),
                BinOp::Sub(_) => l.checked_sub(r),
                BinOp::Mul(_) => l.checked_mul(r),
                BinOp::Div(_) => l.checked_div(r),
                BinOp::Rem(_) => l.checked_rem(r),
                BinOp::Shl(_) => u32::try_from(r).ok().and_then(|r| l.checked_shl(r)),
                BinOp::Shr(_) => u32::try_from(r).ok().and_then(|r| l.checked_shr(r)),
                BinOp::BitOr(_) => Some(l | r),
                BinOp::BitAnd(_) => Some(l & r),
                BinOp::BitXor(_) => Some(l ^ r),
                _ => None,
            }
        }
        _ => None,
    }
}
