//! The message catalogue: Fluent resources compiled into the binary, one bundle per language.
//! A missing message shows its id (and a test keeps both languages' ids the same).

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::Lang;

const LV: &str = include_str!("../locales/lv.ftl");
const EN: &str = include_str!("../locales/en.ftl");

struct Catalog {
    lv: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: unic_langid::LanguageIdentifier, source: &str) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // No Unicode isolation marks: the text goes into HTML and email, not into mixed-direction UI.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, errors)| {
        tracing_free_report(&errors);
        res
    });
    if let Err(errors) = bundle.add_resource(resource) {
        tracing_free_report(&errors);
    }
    bundle
}

fn tracing_free_report<E: std::fmt::Debug>(errors: &[E]) {
    // Start-up only, and a unit test fails on the same input first.
    eprintln!("i18n catalogue errors: {errors:?}");
}

// The catalogue is compiled-in text, not configuration or state, so one static is right here.
static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog {
    lv: bundle(unic_langid::langid!("lv"), LV),
    en: bundle(unic_langid::langid!("en"), EN),
});

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    let bundle = match lang {
        Lang::Lv => &CATALOG.lv,
        Lang::En => &CATALOG.en,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle.format_pattern(pattern, args, &mut errors).into_owned()
}

/// The largest document, in MB, as messages name it (`$limit`); set at start-up from the
/// configuration.
static FILE_LIMIT_MB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(20);

/// Sets the document size limit the messages name.
pub fn set_file_limit_mb(mb: u64) {
    FILE_LIMIT_MB.store(mb, std::sync::atomic::Ordering::Relaxed);
}

/// The messages that name the configured document size limit (they are field errors, whose
/// message is an id alone).
const NAMES_FILE_LIMIT: &[&str] = &["error-file-too-large"];

/// The message `id` in `lang`.
pub fn t(lang: Lang, id: &str) -> String {
    if NAMES_FILE_LIMIT.contains(&id) {
        let mb = FILE_LIMIT_MB.load(std::sync::atomic::Ordering::Relaxed).to_string();
        return tf(lang, id, &[("limit", &mb)]);
    }
    format(lang, id, None)
}

/// The message `id` in `lang` with named arguments. An argument written as a plain whole number
/// (`21`, not `021` or `1 200`) is passed as a number, so a message can choose the word's form
/// by it (`{ $count -> [one] skolēns *[other] skolēni }`: 1, 21 skolēns; 2, 11 skolēni).
pub fn tf(lang: Lang, id: &str, args: &[(&str, &str)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        let number = (v.len() <= 15 && (*v == "0" || !v.starts_with('0')))
            .then(|| v.parse::<i64>().ok())
            .flatten();
        match number {
            Some(n) => fargs.set(*k, FluentValue::from(n)),
            None => fargs.set(*k, FluentValue::from(*v)),
        }
    }
    format(lang, id, Some(&fargs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(source: &str) -> Vec<String> {
        let res = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(_, e)| panic!("parse errors: {e:?}"));
        let mut ids: Vec<String> = res
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn both_languages_parse_and_have_the_same_messages() {
        assert_eq!(ids(LV), ids(EN));
    }

    #[test]
    fn formats_with_arguments() {
        assert_eq!(t(Lang::En, "nav-login"), "Log in");
        assert_eq!(t(Lang::Lv, "nav-login"), "Pieslēgties");
        assert_eq!(
            tf(
                Lang::En,
                "pager-status",
                &[("page", "2"), ("pages", "3"), ("total", "120")]
            ),
            "Page 2 of 3 (120 in all)"
        );
        assert_eq!(t(Lang::En, "no-such-message"), "no-such-message");
        assert_eq!(
            tf(
                Lang::En,
                "pager-status",
                &[("page", "2"), ("pages", "3"), ("total", "007")]
            ),
            "Page 2 of 3 (007 in all)",
            "a leading zero stays text"
        );
    }

    #[test]
    fn latvian_words_take_the_form_their_number_asks() {
        let pupils = |n: &str| tf(Lang::Lv, "import-confirm", &[("new", n)]);
        assert_eq!(pupils("1"), "Apstiprināt: reģistrēt 1 jaunu skolēnu");
        assert_eq!(pupils("21"), "Apstiprināt: reģistrēt 21 jaunu skolēnu");
        assert_eq!(pupils("11"), "Apstiprināt: reģistrēt 11 jaunus skolēnus");
        assert_eq!(pupils("3"), "Apstiprināt: reģistrēt 3 jaunus skolēnus");
        let en = tf(Lang::En, "import-confirm", &[("new", "1")]);
        assert_eq!(en, "Confirm: register 1 new pupil");
    }
}
