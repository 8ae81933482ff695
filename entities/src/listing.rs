//! A list page's window onto its rows: which page of [`PAGE_SIZE`], what is searched for and how
//! the rows are sorted. Every long list (applications, pupils and their plans, calls, the approval
//! queue, failed deliveries) takes one, so its statements and its size stay the same however many
//! rows there are: one count, one page of rows, and what those rows need.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{Condition, Order, QueryOrder};

/// Rows on one page of a list.
pub const PAGE_SIZE: u64 = 50;

/// The longest search kept; a longer one is cut (a name or reference is far shorter).
const SEARCH_MAX: usize = 100;

/// What a list was asked for: the page (from 1), the search (trimmed; empty for all) and the
/// sort key (a key the list knows, `-` before it for descending; anything else means the list's
/// default order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    pub page: u64,
    pub search: String,
    pub sort: String,
}

impl Window {
    /// A window from what a query string carried; a page that is not a number or below 1 is the
    /// first, control characters are dropped from the search.
    pub fn new(page: Option<&str>, search: Option<&str>, sort: Option<&str>) -> Self {
        let page = page
            .and_then(|p| p.trim().parse::<u64>().ok())
            .filter(|p| (1..=1_000_000).contains(p))
            .unwrap_or(1);
        let search: String = search
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(SEARCH_MAX)
            .collect::<String>()
            .trim()
            .to_owned();
        let sort: String = sort
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(40)
            .collect();
        Self { page, search, sort }
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(PAGE_SIZE)
    }

    /// The sort key without its direction.
    pub fn key(&self) -> &str {
        self.sort.trim_start_matches('-')
    }

    /// Whether the sort is descending.
    pub fn desc(&self) -> bool {
        self.sort.starts_with('-')
    }

    /// The search as a `LIKE` pattern matching it anywhere (lower-cased; `%`, `_` and `\`
    /// taken literally), or `None` when nothing is searched.
    pub fn pattern(&self) -> Option<String> {
        if self.search.is_empty() {
            return None;
        }
        let mut escaped = String::with_capacity(self.search.len() + 2);
        escaped.push('%');
        for c in self.search.to_lowercase().chars() {
            if matches!(c, '%' | '_' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        escaped.push('%');
        Some(escaped)
    }

    /// A condition: one of `columns` contains the search, whatever its case (letters beyond
    /// ASCII compare by case on SQLite, whose `lower` knows only ASCII). No search, no condition.
    pub fn matching(&self, columns: impl IntoIterator<Item = Expr>) -> Condition {
        let Some(pattern) = self.pattern() else {
            return Condition::all();
        };
        columns.into_iter().fold(Condition::any(), |any, column| {
            any.add(Expr::expr(Func::lower(column)).like(LikeExpr::new(pattern.clone()).escape('\\')))
        })
    }

    /// `query` ordered by the window's sort among `sorts` (key and the expressions it orders
    /// by), `default` when the key is not one of them; `tie` last so pages never overlap.
    pub fn order<Q: QueryOrder>(&self, query: Q, sorts: &[(&str, &[Expr])], default: &str, tie: Expr) -> Q {
        let (columns, desc) = match sorts.iter().find(|(key, _)| *key == self.key()) {
            Some((_, columns)) => (*columns, self.desc()),
            None => (
                sorts
                    .iter()
                    .find(|(key, _)| *key == default.trim_start_matches('-'))
                    .map(|(_, c)| *c)
                    .unwrap_or_default(),
                default.starts_with('-'),
            ),
        };
        let order = if desc { Order::Desc } else { Order::Asc };
        let query = columns
            .iter()
            .fold(query, |q, column| q.order_by(column.clone(), order.clone()));
        query.order_by(tie, order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_takes_only_what_makes_sense() {
        let w = Window::new(Some("abc"), Some("  Bērziņa\u{0}\n "), Some("-name; DROP"));
        assert_eq!(
            (w.page, w.search.as_str(), w.sort.as_str()),
            (1, "Bērziņa", "-nameDROP")
        );
        assert_eq!(Window::new(Some("0"), None, None).page, 1);
        assert_eq!(Window::new(Some("3"), None, None).offset(), 100);
        assert_eq!(Window::new(None, Some(&"x".repeat(500)), None).search.len(), SEARCH_MAX);
        let sorted = Window::new(None, None, Some("-amount"));
        assert_eq!((sorted.key(), sorted.desc()), ("amount", true));
    }

    #[test]
    fn a_search_is_taken_literally() {
        let w = Window::new(None, Some("50%_A\\b"), None);
        assert_eq!(w.pattern().as_deref(), Some("%50\\%\\_a\\\\b%"));
        assert_eq!(Window::new(None, None, None).pattern(), None);
    }
}
