//! hclwrite's `format`: every token's leading spaces are decided from the token stream alone.
//! Lines end at newline tokens (so a heredoc belongs to the line that opens it); each line
//! splits into a lead, an `= value` cell and a trailing comment; indentation comes from each
//! line's net brackets, spacing from the kinds of neighbouring tokens, alignment from runs of
//! consecutive lines with an assignment (or a comment).

use super::lex::{Kind, Token};
use std::ops::Range;

struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<usize>,
}

pub(super) fn format(toks: &mut [Token]) {
    let lines = lines(toks);
    indent(toks, &lines);
    space(toks, &lines);
    align(toks, &lines);
}

fn lines(toks: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.ends_line() {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    lines.push(start..toks.len());
    lines
        .into_iter()
        .map(|mut lead| {
            let mut comment = None;
            if lead.len() > 1 && toks[lead.end - 1].kind == Kind::Comment {
                comment = Some(lead.end - 1);
                lead.end -= 1;
            }
            let mut assign = None;
            // Only a value complete on its line (net brackets zero) makes an assign cell.
            if let Some(eq) = (lead.start + 1..lead.end).find(|&i| toks[i].kind == Kind::Equal) {
                if toks[eq..lead.end].iter().map(Token::bracket).sum::<i32>() == 0 {
                    assign = Some(eq..lead.end);
                    lead.end = eq;
                }
            }
            Line {
                lead,
                assign,
                comment,
            }
        })
        .collect()
}

/// A line with net openings is indented at the current depth and opens one level that
/// remembers how many openings it stands for; net closings pop whole levels (or lower the
/// top level's count) before the line is indented.
fn indent(toks: &mut [Token], lines: &[Line]) {
    let mut stack: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        if toks[line.lead.start].kind == Kind::Newline {
            toks[line.lead.start].spaces = 0;
            continue;
        }
        let mut net = 0;
        for t in &toks[line.lead.clone()] {
            net += t.bracket();
            if t.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(a) = &line.assign {
            net += toks[a.clone()].iter().map(Token::bracket).sum::<i32>();
        }
        let depth = stack.len();
        if net > 0 {
            stack.push(net);
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = stack.last_mut() else {
                break;
            };
            if closed >= *top {
                closed -= *top;
                stack.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        toks[line.lead.start].spaces = 2 * if net > 0 { depth } else { stack.len() };
    }
}

fn space(toks: &mut [Token], lines: &[Line]) {
    for line in lines {
        if let Some(a) = &line.assign {
            toks[a.start].spaces = 1;
        }
        for cell in std::iter::once(&line.lead).chain(&line.assign) {
            for i in cell.start..cell.end.saturating_sub(1) {
                let before = (i > cell.start).then(|| toks[i - 1].kind);
                toks[i + 1].spaces = space_after(&toks[i], before, toks[i + 1].kind) as usize;
            }
        }
    }
}

/// hclwrite's `spaceAfterToken`, case by case in its order. `before` is `None` at the start
/// of a cell.
fn space_after(subject: &Token, before: Option<Kind>, after: Kind) -> bool {
    use Kind::*;
    let s = subject.kind;
    let opens = |k: Kind| matches!(k, OBrace | OBrack | OParen | Interp | Control);
    let closes = |k: Kind| matches!(k, CBrace | CBrack | CParen | SeqEnd);
    match () {
        _ if after == Newline => false,
        _ if s == Ident && after == OParen => false,
        _ if (s == Ident && after == DoubleColon) || (s == DoubleColon && after == Ident) => false,
        _ if s == Dot || after == Dot => false,
        _ if after == Comma || after == Ellipsis => false,
        _ if s == Comma => true,
        _ if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
            || matches!(after, QuotedLit | StringLit | CQuote | CHeredoc) =>
        {
            false
        }
        _ if s == Ident && subject.text == "in" && before == Some(Ident) => true,
        _ if after == OBrack && (s == Ident || s == Number || closes(s)) => false,
        _ if s == Bang => false,
        // A minus after something that cannot end an operand is a negation.
        _ if s == Minus => !matches!(
            before,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | Gt
                    | Ge
                    | Lt
                    | Le
                    | And
                    | Or
                    | Bang
            )
        ),
        _ if s == OBrace || after == CBrace => !(s == OBrace && after == CBrace),
        _ if matches!(s, Interp | Control) && after == OBrace => true,
        _ if s == CBrace && after == SeqEnd => true,
        _ if s == SeqEnd && matches!(after, Interp | Control) => false,
        _ if opens(s) => false,
        _ if closes(after) => false,
        _ => true,
    }
}

/// Lines up `=` within runs of lines that have an assign cell, then trailing comments
/// within runs of lines that have one; any other line ends a run.
fn align(toks: &mut [Token], lines: &[Line]) {
    let columns = |toks: &[Token], r: &Range<usize>| -> usize {
        toks[r.clone()]
            .iter()
            .map(|t| t.spaces + t.text.chars().count())
            .sum()
    };
    let mut start = 0;
    while start < lines.len() {
        let end = (start..lines.len())
            .find(|&i| lines[i].assign.is_none())
            .unwrap_or(lines.len());
        let run = &lines[start..end];
        let width = run.iter().map(|l| columns(toks, &l.lead)).max();
        for l in run {
            let pad = width.unwrap_or(0) - columns(toks, &l.lead) + 1;
            if let Some(a) = &l.assign {
                toks[a.start].spaces = pad;
            }
        }
        start = end + 1;
    }
    let code = |toks: &[Token], l: &Line| {
        columns(toks, &l.lead) + l.assign.as_ref().map_or(0, |a| columns(toks, a))
    };
    let mut start = 0;
    while start < lines.len() {
        let end = (start..lines.len())
            .find(|&i| lines[i].comment.is_none())
            .unwrap_or(lines.len());
        let run = &lines[start..end];
        let width = run.iter().map(|l| code(toks, l)).max().unwrap_or(0);
        for l in run {
            let pad = width - code(toks, l) + 1;
            if let Some(c) = l.comment {
                toks[c].spaces = pad;
            }
        }
        start = end + 1;
    }
}
