//! A call shaped by its regulation: the coordinator adds one question of each kind, a required
//! document and budget categories (one capped) to a draft; applicants answer on the form, are
//! refused with a message at every wrong field and at everything missing, then submit; the
//! answers are on the coordinator's page, in the minutes and in the export; the submitted
//! application is a document (a printable page and a PDF, its number and submission time on
//! every page) that the receipt links; the preview is the applicant's form; publishing froze the
//! form; copying takes the form along; the application page costs the same statements however
//! many questions.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::{application, application_answer, call_question};
use entities::grants::forms;
use pumpurs_tests::{TestApp, both_backends, seed};
use sea_orm::{ActiveValue::Set, EntityTrait};

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// The status the user `email` gets at `path`.
async fn n_status(app: &TestApp, email: &str, path: &str) -> u16 {
    let b = app.browser();
    b.login(email, seed::PASSWORD).await;
    b.get(path).await.status
}

async fn answers_stored(app: &TestApp) -> usize {
    application_answer::Entity::find()
        .all(&app.db)
        .await
        .expect("answers")
        .len()
}

both_backends!(
    async fn a_call_asks_its_own_questions_documents_and_capped_categories_and_is_copied_with_them(app) {
        let w = seed::world(&app.db).await;
        let coordinator = seed::actor(&app.db, &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await).await;
        let member = seed::actor(&app.db, &seed::user(&app.db, "n@example.lv", Role::NgoMember, w.ngo.id).await).await;
        seed::user(&app.db, "other@example.lv", Role::Coordinator, w.muni_b.id).await;
        let input = seed::call_form(Utc::now() + Duration::days(20)).parse().expect("form");
        let call = entities::grants::calls::create(&app.db, &coordinator, w.muni_a.id, &input, Utc::now()).await.expect("call");
        let c = app.browser();
        c.login("coord@example.lv", seed::PASSWORD).await;
        let builder = format!("/manage/calls/{}/form", call.id);
        let page = c.get(&builder).await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf();
        let post = async |what: &str, fields: &[(&str, &str)]| {
            let mut all = vec![("_csrf", csrf.as_str())];
            all.extend_from_slice(fields);
            c.post(&format!("{builder}/{what}"), &all).await
        };

        // Wrong questions, documents and categories are refused, each at its field, as typed.
        let bad = post("questions", &[("kind", "choice"), ("label", ""), ("choices", "Tikai viena")]).await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.field_error("label"), "Šis lauks ir obligāts.", "{}", bad.body);
        assert!(!bad.field_error("choices").is_empty());
        let bad = post("questions", &[("kind", "long_text"), ("label", "Apraksts"), ("max_len", "nav")]).await;
        assert!(!bad.field_error("max_len").is_empty());
        assert_eq!(bad.input_value("label").as_deref(), Some("Apraksts"));
        assert!(!post("questions", &[("kind", "essay"), ("label", "X")]).await.field_error("kind").is_empty());
        assert!(!post("documents", &[("doc_title", "CV")]).await.field_error("doc_types").is_empty());
        assert!(!post("categories", &[("cat_name", "Ēdināšana"), ("cap", "share"), ("cap_value", "150")]).await.field_error("cap_value").is_empty());
        assert!(forms::of_call(&app.db, call.id).await.expect("form").is_empty(), "nothing was added");

        // One question of each kind, a required document, two categories (one capped at 20 %).
        for (kind, label, extra) in [
            ("short_text", "Kuras skolas piedalās?", ("", "")),
            ("long_text", "Kā sasniegsiet skolēnus?", ("max_len", "40")),
            ("number", "Cik skolēnu ar mācību pārtraukšanas risku iesaistīsiet?", ("", "")),
            ("amount", "Pašvaldības līdzfinansējums", ("", "")),
            ("date", "Pirmās nodarbības datums", ("", "")),
            ("choice", "Projekta norises vieta", ("choices", "Skola\nJauniešu centrs\nCits")),
            ("yes_no", "Vai projekts notiks brīvdienās?", ("", "")),
            ("file", "Dalībnieku saraksta veidne", ("", "")),
        ] {
            let mut fields = vec![("kind", kind), ("label", label)];
            if kind != "amount" {
                fields.push(("required", "on"));
            }
            if !extra.0.is_empty() {
                fields.push(extra);
            }
            let added = post("questions", &fields).await;
            assert_eq!(added.text(".flash"), "Jautājums pievienots.", "{}", added.body);
        }
        post("documents", &[("doc_title", "Projekta vadītāja CV"), ("types", "pdf")]).await;
        post("categories", &[("cat_name", "Ēdināšana"), ("cap", "share"), ("cap_value", "20")]).await;
        let page = post("categories", &[("cat_name", "Inventārs"), ("cap", ""), ("cap_value", "")]).await;
        assert_eq!(page.texts("#documents strong"), vec!["Projekta vadītāja CV"]);
        assert_eq!(page.texts("#categories strong"), vec!["Ēdināšana", "Inventārs"]);
        let form = forms::of_call(&app.db, call.id).await.expect("form");
        let q = |kind: call_question::QuestionKind| form.questions.iter().find(|q| q.kind == kind).expect("question").clone();
        use call_question::QuestionKind as K;
        // The file question moves up one place.
        let moved = c.submit(&page, &format!("{builder}/question/{}/up", q(K::File).id), &[]).await;
        assert_eq!(moved.texts("#questions strong")[6], "Dalībnieku saraksta veidne");

        // The preview: the applicant's form, with nothing it can send.
        let preview_path = format!("/manage/calls/{}/preview", call.id);
        assert_eq!(moved.attrs(&format!("a[href=\"{preview_path}\"]"), "href").len(), 1, "linked from the builder");
        let preview = c.get(&preview_path).await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert!(preview.text(".notice").starts_with("Priekšskatījums"), "{}", preview.body);
        let enabled = preview.html().select(&scraper::Selector::parse("main button:not([disabled])").expect("css")).count();
        assert_eq!(enabled, 0, "every button of the preview is disabled");
        assert!(preview.texts("main button").len() >= 6);
        assert_eq!(preview.texts("#line-0-category option"), vec!["Ēdināšana", "Inventārs"], "the call's categories");
        let form_fields = |page: &pumpurs_tests::browser::Page| {
            page.attrs("main form [id^=\"q-\"], main form [id^=\"doc-\"]", "id")
        };
        let shown = form_fields(&preview);
        let asked: Vec<String> = form.questions.iter().map(|q| q.field()).chain(form.documents.iter().map(|d| d.field())).collect();
        assert!(asked.iter().all(|f| shown.contains(f)), "{asked:?} in {shown:?}");
        assert_eq!(n_status(app, "n@example.lv", &preview_path).await, 404, "not for applicants");

        // Published: frozen.
        let call = entities::grants::calls::publish(&app.db, &coordinator, call.clone(), Utc::now()).await.expect("publish");
        let frozen = post("questions", &[("kind", "short_text"), ("label", "Vēl viens")]).await;
        assert_eq!(frozen.status, 400, "{}", frozen.body);
        assert_eq!(forms::of_call(&app.db, call.id).await.expect("form").questions.len(), 8);
        assert!(!c.get(&builder).await.has_form(&format!("{builder}/questions")), "no adding once published");

        // The applicant's form carries the questions, the document and the call's categories.
        let draft = entities::grants::applications::start(&app.db, &member, &call, &w.ngo, Utc::now()).await.expect("start");
        let n = app.browser();
        n.login("n@example.lv", seed::PASSWORD).await;
        let path = format!("/applications/{}", draft.id);
        let page = n.get(&path).await;
        assert_eq!(form_fields(&page), form_fields(&preview), "the preview has the applicant's fields, in order");
        assert!(page.texts("dd strong").contains(&"Melnraksts".to_owned()), "a draft is a Melnraksts in both halves");
        for q in &form.questions {
            assert!(page.html().select(&scraper::Selector::parse(&format!("[id=\"{}\"]", q.field())).expect("css")).next().is_some(), "field of {}", q.label);
        }
        let cv = &form.documents[0];
        assert_eq!(page.attrs(&format!("#{}", cv.field()), "accept"), vec![".pdf"]);
        let (food, things) = (form.categories[0].key(), form.categories[1].key());
        let csrf = page.csrf();
        let key = page.input_value("submit_key").unwrap_or_default();
        let (qs, ql, qn, qa, qd, qc, qy) = (
            q(K::ShortText).field(),
            q(K::LongText).field(),
            q(K::Number).field(),
            q(K::Amount).field(),
            q(K::Date).field(),
            q(K::Choice).field(),
            q(K::YesNo).field(),
        );
        let fields = |answers: [&str; 7], food_cost: &str| {
            let mut f: Vec<(String, String)> = [
                ("_csrf", csrf.as_str()),
                ("submit_key", key.as_str()),
                ("title", "Skolas podkāsts"),
                ("summary", "Skolēni veido podkāstu."),
                ("target_group", "7.–9. klase"),
                ("activities", "Darbnīcas."),
                ("timeline", "Februāris–maijs"),
                ("requested", "1000"),
                ("cofinancing", "120"),
                ("line_category", food.as_str()),
                ("line_description", "Uzkodas"),
                ("line_quantity", "1"),
                ("line_unit_cost", food_cost),
                ("line_category", things.as_str()),
                ("line_description", "Mikrofoni"),
                ("line_quantity", "1"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
            f.push(("line_unit_cost".into(), (1000 - food_cost.parse::<i32>().expect("cost")).to_string()));
            for (field, value) in [&qs, &ql, &qn, &qa, &qd, &qc, &qy].into_iter().zip(answers) {
                f.push((field.clone(), value.to_owned()));
            }
            f
        };
        let send = async |f: Vec<(String, String)>, action: &str| {
            let mut f = f;
            f.push(("action".into(), action.into()));
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            n.post(&path, &refs).await
        };

        // A wrong value in each question: each named at its field, nothing stored.
        let wrong = send(fields(["Ogres 1. vidusskola", "Ar skolu psihologa palīdzību un pulciņu nodarbībām pēc stundām", "daudz", "x", "31.02.2026", "Mēness", "varbūt"], "100"), "save").await;
        assert_eq!(wrong.status, 422, "{}", wrong.body);
        for (field, message) in [
            (&ql, "Atbilde ir garāka, nekā konkurss atļauj."),
            (&qn, "Ievadiet veselu skaitli atļautajās robežās."),
            (&qa, "Ievadiet summu eiro, piemēram, 1500 vai 1500,50."),
            (&qd, "Ievadiet datumu, piemēram, 31.05.2010."),
            (&qc, "Izvēlieties kādu no piedāvātajām iespējām."),
            (&qy, "Izvēlieties kādu no piedāvātajām iespējām."),
        ] {
            assert_eq!(wrong.field_error(field), message, "{field}");
        }
        assert_eq!(wrong.input_value(&qs).as_deref(), Some("Ogres 1. vidusskola"), "kept as typed");
        assert_eq!(answers_stored(app).await, 0);

        // Right answers, but 30 % of the budget on food, no CV and no file: saved, not submitted.
        let right = ["Ogres 1. vidusskola", "Ar skolas psihologa palīdzību.", "25", "150,50", "2027-02-15", "Jauniešu centrs", "yes"];
        let refused = send(fields(right, "300"), "submit").await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(answers_stored(app).await, 7, "the draft's answers are saved");
        assert_eq!(refused.field_error(&cv.field()), "Šis dokuments ir obligāts: pievienojiet to.");
        assert_eq!(refused.field_error(&q(K::File).field()), "Šis lauks ir obligāts.");
        assert_eq!(refused.field_error(&format!("cap-{}", form.categories[0].id)), "Šīs kategorijas izdevumi pārsniedz konkursa noteikto ierobežojumu.");
        assert!(refused.texts(".error-summary li").iter().any(|t| t.starts_with("Projekta vadītāja CV")), "{:?}", refused.texts(".error-summary li"));

        // A PNG is not a CV this call takes; a PDF is; the file question takes its file.
        let upload = format!("/applications/{}/attachments?_csrf={csrf}", draft.id);
        let png = n.upload_as(&upload, &[], &cv.field(), "cv.png", PNG.to_vec()).await;
        assert_eq!(png.field_error(&cv.field()), "Šim dokumentam šāds datnes veids nav atļauts; skatiet atļautos veidus.", "{}", png.body);
        n.upload_as(&upload, &[], &cv.field(), "cv.pdf", pdf("cv")).await;
        let page = n.upload_as(&upload, &[], &q(K::File).field(), "saraksts.pdf", pdf("saraksts")).await;
        assert_eq!(page.texts("#required-documents .field p").iter().filter(|t| t.starts_with("Pievienots")).count(), 2, "{}", page.body);
        // Another call's document is not this one's.
        assert_eq!(n.upload_as(&upload, &[], "doc-99999", "x.pdf", pdf("x")).await.status, 404);

        let document = format!("{path}/document");
        assert_eq!(n.get(&document).await.status, 404, "a draft is not a document yet");
        let submitted = send(fields(right, "200"), "submit").await;
        assert!(submitted.text(".flash").starts_with("Pieteikums iesniegts."), "{}", submitted.body);

        // The application as a document: linked from its page and from the receipt.
        assert_eq!(submitted.attrs(&format!("a[href=\"{document}\"]"), "href").len(), 1);
        app.work(&app.worker_config()).await;
        let stored = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("read").expect("application");
        let reference = stored.ref_no.clone().expect("a number");
        let at = templates::view::riga_seconds(stored.submitted_at.expect("submitted"));
        let mails = app.mails();
        let receipt = mails.iter().find(|m| m.contains(&reference)).expect("the receipt");
        assert!(receipt.contains(&format!("{document}\r\n")), "{receipt}");
        let printed = c.get(&document).await;
        assert_eq!(printed.status, 200);
        assert_eq!(printed.text("table.print-frame thead .running"), format!("Pieteikums {reference} · iesniegts {at} (Rīgas laiks)"));
        let shown = printed.texts("article.document dd");
        for answer in ["Ogres 1. vidusskola", "Ar skolas psihologa palīdzību.", "150,50 €", "15.02.2027", "Jauniešu centrs", "saraksts.pdf", "Jā"] {
            assert!(shown.contains(&answer.to_owned()), "{answer}: {shown:?}");
        }
        assert!(printed.texts("article.document td").contains(&"Mikrofoni".to_owned()));
        let (status, headers, bytes) = c.download(&format!("{document}.pdf")).await;
        assert_eq!((status, headers["content-type"].to_str().ok()), (200, Some("application/pdf")));
        let pdf = String::from_utf8_lossy(&bytes).into_owned();
        let pages: Vec<&str> = pdf.split(">>\nstream\n").skip(1).collect();
        assert!(!pages.is_empty());
        for page in &pages {
            assert!(page.contains(&format!("Pieteikums {reference} \\267 iesniegts {at}")), "number and time on every page: {page}");
        }
        for text in ["(Ogres 1. vidusskola)", "(Mikrofoni)", "(cv.pdf)", "(Projekta vad"] {
            assert!(pdf.contains(text), "{text} in the PDF");
        }
        // Not for someone who cannot read the application.
        assert_eq!(n_status(app, "other@example.lv", &format!("{document}.pdf")).await, 404);

        // The coordinator reads the answers, and what each document is; the export has a column each.
        let view = c.get(&path).await;
        let answers = view.texts("section.answers dd");
        assert_eq!(answers, vec!["Ogres 1. vidusskola", "Ar skolas psihologa palīdzību.", "25", "150,50 €", "15.02.2027", "Jauniešu centrs", "saraksts.pdf", "Jā"], "{}", view.body);
        assert!(view.texts("td").contains(&"Projekta vadītāja CV".to_owned()));
        let checked = view.texts("#document-check li");
        assert!(checked.len() == 1 && checked[0].starts_with("Projekta vadītāja CV") && checked[0].contains("cv.pdf"), "{checked:?}");
        let csv = c.download(&format!("/manage/calls/{}/applications.csv", call.id)).await;
        let text = String::from_utf8_lossy(&csv.2).to_string();
        let header = text.lines().next().unwrap_or("").to_owned();
        for q in &form.questions {
            assert!(header.contains(&q.label), "{header}");
        }
        assert!(text.contains("Jauniešu centrs") && text.contains("saraksts.pdf") && text.contains("15.02.2027"), "{text}");
        let minutes = c.get(&format!("/manage/calls/{}/minutes", call.id)).await;
        assert_eq!(minutes.texts(".minutes h3"), vec![format!("{reference} — Skolas podkāsts")], "{}", minutes.body);
        assert_eq!(minutes.texts(".minutes dl:last-of-type dd"), answers, "the minutes carry the answers");

        // The application page costs the same however many questions the call asks.
        let (before, _) = app.count_statements(c.get(&path)).await;
        call_question::Entity::insert_many((0..20).map(|i| call_question::ActiveModel {
            call_id: Set(call.id),
            position: Set(100 + i),
            kind: Set(K::ShortText),
            label: Set(format!("Papildu jautājums {i}")),
            help: Set(String::new()),
            required: Set(false),
            max_len: Set(None),
            choices: Set(String::new()),
            ..Default::default()
        }))
        .exec(&app.db)
        .await
        .expect("more questions");
        let (after, page) = app.count_statements(c.get(&path)).await;
        assert_eq!(page.texts("section.answers dt").len(), 28);
        assert_eq!(before, after, "statements for 8 and 28 questions");

        // Copied: the new draft has the same form.
        let copied = c.submit(&c.get(&format!("/manage/calls/{}", call.id)).await, &format!("/manage/calls/{}/copy", call.id), &[]).await;
        let new_id: i32 = copied.path.trim_start_matches("/manage/calls/").parse().expect("the new call's page");
        let new = forms::of_call(&app.db, new_id).await.expect("form");
        let old = forms::of_call(&app.db, call.id).await.expect("form");
        let shape = |f: &forms::CallForm| {
            (
                f.questions.iter().map(|q| (q.kind, q.label.clone(), q.required, q.max_len, q.choices.clone())).collect::<Vec<_>>(),
                f.documents.iter().map(|d| (d.title.clone(), d.types.clone())).collect::<Vec<_>>(),
                f.categories.iter().map(|k| (k.name.clone(), k.cap_bp, k.cap_cents)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(shape(&new), shape(&old));
    }
);
