//! Long lists: what their query string asks for (page, search, sort) and how the page shows it.

use entities::domain::Lang;
use entities::listing::Window;
use serde::Deserialize;
use templates::components::ListView;
use templates::t;

/// A list's query string: `page`, `q` (the search) and `sort`. Every field is read as text, so
/// a wrong page or sort means the first page in the list's default order, never an error.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: Option<String>,
    q: Option<String>,
    sort: Option<String>,
}

impl ListQuery {
    pub fn window(&self) -> Window {
        Window::new(self.page.as_deref(), self.q.as_deref(), self.sort.as_deref())
    }
}

/// How the page shows a list at `window` of `total` matching rows: its address with the filters
/// it keeps, and its sorts (key and catalogue key of the label; the first is the default).
pub fn view(
    lang: Lang,
    path: String,
    keep: Vec<(&'static str, String)>,
    window: &Window,
    sorts: &[(&'static str, &str)],
    total: u64,
) -> ListView {
    let known = sorts.iter().any(|(key, _)| *key == window.sort);
    ListView {
        path,
        keep,
        search: window.search.clone(),
        sort: if known {
            window.sort.clone()
        } else {
            sorts.first().map(|(k, _)| (*k).to_owned()).unwrap_or_default()
        },
        sorts: sorts.iter().map(|(key, label)| (*key, t(lang, label))).collect(),
        page: window.page,
        total,
    }
}
