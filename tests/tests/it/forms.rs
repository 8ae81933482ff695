//! Nothing lost, nothing by accident: a double-clicked submit makes one application, a draft
//! form with a mistake changes nothing stored and shows everything typed, a document added from
//! the draft form saves what was typed around it.

use chrono::{Duration, Utc};
use entities::domain::Role;
use entities::entity::application::ApplicationStatus;
use entities::entity::{application, attachment, budget_line};
use pumpurs_tests::{Browser, TestApp, both_backends, seed};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// An NGO member logged in, with a complete draft on an open call; the draft's address.
async fn draft(app: &TestApp) -> (Browser, application::Model, String) {
    let w = seed::world(&app.db).await;
    let coordinator = seed::actor(
        &app.db,
        &seed::user(&app.db, "coord@example.lv", Role::Coordinator, w.muni_a.id).await,
    )
    .await;
    let member = seed::actor(
        &app.db,
        &seed::user(&app.db, "anna@example.lv", Role::NgoMember, w.ngo.id).await,
    )
    .await;
    let call = seed::open_call(&app.db, &coordinator, w.muni_a.id, Utc::now() + Duration::days(5)).await;
    let draft = seed::draft(&app.db, &member, &call, &w.ngo).await;
    let b = app.browser();
    b.login("anna@example.lv", seed::PASSWORD).await;
    let path = format!("/applications/{}", draft.id);
    (b, draft, path)
}

/// The draft form's fields as the page shows them, with `changes` applied.
fn typed(page: &pumpurs_tests::Page, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = ["title", "requested", "cofinancing"]
        .into_iter()
        .map(|k| (k.to_owned(), page.input_value(k).unwrap_or_default()))
        .collect();
    for k in ["summary", "target_group", "activities", "timeline"] {
        fields.push((k.to_owned(), page.text(&format!("textarea#{k}"))));
    }
    let categories = page.attrs("select[name=line_category] option[selected]", "value");
    let descriptions = page.attrs("input[name=line_description]", "value");
    let quantities = page.attrs("input[name=line_quantity]", "value");
    let costs = page.attrs("input[name=line_unit_cost]", "value");
    for i in 0..descriptions.len() {
        fields.push(("line_category".into(), categories[i].clone()));
        fields.push(("line_description".into(), descriptions[i].clone()));
        fields.push(("line_quantity".into(), quantities[i].clone()));
        fields.push(("line_unit_cost".into(), costs[i].clone()));
    }
    for (k, v) in changes {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = (*v).to_owned(),
            None => fields.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    fields
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

both_backends!(
    async fn a_submit_clicked_eight_times_at_once_makes_one_application_and_every_click_lands_on_it(app) {
        let (b, draft, path) = draft(app).await;
        let page = b.get(&path).await;
        let fields = typed(&page, &[("action", "submit")]);
        let mut clicks = Vec::new();
        for _ in 0..8 {
            let (b, page, fields, path) = (b.clone(), page.clone(), fields.clone(), path.clone());
            clicks.push(tokio::spawn(async move { b.submit(&page, &path, &pairs(&fields)).await }));
        }
        for click in clicks {
            let landed = click.await.expect("click");
            assert_eq!((landed.status, landed.path.as_str()), (200, path.as_str()), "{}", landed.body);
            // The clicks share one cookie jar, so which of them shows the flash is a race.
            assert!(landed.text("dl").contains("Iesniegts") && landed.text("dl").contains("REZ-"), "{}", landed.text("dl"));
        }
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.status, ApplicationStatus::Submitted);
        let submitted = application::Entity::find().filter(application::Column::Status.eq(ApplicationStatus::Submitted)).count(&app.db).await.expect("count");
        assert_eq!(submitted, 1);
        let receipts = crate::outbox_events(app).await.len();
        assert_eq!(receipts, 1, "one receipt");
    }
);

both_backends!(
    async fn a_draft_saved_with_one_malformed_amount_changes_nothing_and_shows_everything_typed(app) {
        let (b, draft, path) = draft(app).await;
        let page = b.get(&path).await;
        let fields = typed(&page, &[("title", "Jauns nosaukums"), ("summary", "Pārrakstīts apraksts."), ("line_unit_cost", "150,x"), ("action", "save")]);
        let refused = b.submit(&page, &path, &pairs(&fields)).await;
        assert_eq!(refused.status, 422);
        assert_eq!(refused.field_error("line-0-unit_cost"), "Ievadiet summu eiro, piemēram, 1500 vai 1500,50.");
        // The summary names the field by its (visually hidden) label and links to it.
        assert_eq!(refused.texts(".error-summary li"), vec!["Vienības cena 1: Ievadiet summu eiro, piemēram, 1500 vai 1500,50.".to_owned()]);
        assert_eq!(refused.attrs(".error-summary a", "href"), vec!["#line-0-unit_cost".to_owned()]);
        assert_eq!(refused.input_value("title").as_deref(), Some("Jauns nosaukums"));
        assert_eq!(refused.text("textarea#summary"), "Pārrakstīts apraksts.");
        assert_eq!(refused.attrs("input[name=line_unit_cost]", "value"), vec!["150,x".to_owned(), "600,00".to_owned()]);
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!((row.title.as_str(), row.summary.as_str()), ("Skolas podkāsts", "Skolēni veido podkāstu."), "nothing stored changed");
        let lines = budget_line::Entity::find().filter(budget_line::Column::ApplicationId.eq(draft.id)).count(&app.db).await.expect("count");
        assert_eq!(lines, 2, "the stored budget lines are all still there");
    }
);

both_backends!(
    async fn adding_a_document_from_the_draft_form_saves_what_was_typed_first(app) {
        let (b, draft, path) = draft(app).await;
        let page = b.get(&path).await;
        let upload = page.attrs("button[formaction*='/attachments']", "formaction").into_iter().next().expect("an upload button in the draft form");
        assert_eq!(page.attrs("button[formaction*='/attachments']", "formenctype"), vec!["multipart/form-data".to_owned()]);
        assert!(page.html().select(&scraper::Selector::parse(&format!("form[action='{path}'] input[type=file]")).expect("css")).next().is_some(), "the file field is in the draft form");
        let fields = typed(&page, &[("title", "Ierakstīts pirms pielikuma"), ("_csrf", &page.csrf())]);
        let added = b.upload_with(&upload, &pairs(&fields), "plāns.pdf", PDF.to_vec()).await;
        assert_eq!((added.status, added.text(".flash")), (200, "Dokuments pievienots.".to_owned()), "{}", added.body);
        assert_eq!(added.input_value("title").as_deref(), Some("Ierakstīts pirms pielikuma"));
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.title, "Ierakstīts pirms pielikuma");
        assert_eq!(attachment::Entity::find().count(&app.db).await.expect("count"), 1);

        // A mislabelled file is refused; the text typed with it is saved and shown.
        let fields = typed(&added, &[("title", "Otrais mēģinājums")]);
        let refused = b.upload_with(&upload, &pairs(&fields), "plāns.pdf", b"not a pdf".to_vec()).await;
        assert_eq!(refused.status, 422);
        assert!(refused.field_error("file").starts_with("Šāda veida failu pievienot nevar"), "{}", refused.body);
        assert_eq!(refused.input_value("title").as_deref(), Some("Otrais mēģinājums"));
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.title, "Otrais mēģinājums");
        assert_eq!(attachment::Entity::find().count(&app.db).await.expect("count"), 1);
    }
);

both_backends!(
    async fn a_draft_saved_after_the_session_ended_is_kept_and_saved_after_signing_in_again(app) {
        use entities::entity::session;
        use sea_orm::sea_query::Expr;
        let (b, draft, path) = draft(app).await;
        let page = b.get(&path).await;
        // The session ends (idle too long) while the person is typing.
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(Utc::now() - Duration::days(1)))
            .exec(&app.db)
            .await
            .expect("idle");
        let fields = typed(&page, &[("title", "Rakstīts, kamēr sesija beidzās"), ("action", "save")]);
        let login = b.submit(&page, &path, &pairs(&fields)).await;
        assert!(login.path.starts_with("/login"), "{}", login.path);
        assert_eq!(login.text(".flash"), "Jūsu sesija bija beigusies, tāpēc ierakstītais vēl nav saglabāts. Tas ir pasargāts: pieslēdzieties vēlreiz, un varēsiet to saglabāt.");
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.title, "Skolas podkāsts", "nothing saved without a session");

        // Someone else signing in on another browser finds nothing of it.
        let other = app.browser();
        seed::user(&app.db, "other@example.lv", Role::NgoMember, seed::ngo(&app.db, "Cita").await.id).await;
        other.login("other@example.lv", seed::PASSWORD).await;
        assert_eq!(other.get("/kept").await.text(".flash"), "Nav saglabāšanu gaidošu veidlapu.");

        // Signing in again leads to the kept form, which goes on to the draft.
        let kept = b.fill(&login.path, "/login", &[("email", "anna@example.lv"), ("password", seed::PASSWORD)]).await;
        assert_eq!((kept.path.as_str(), kept.h1().as_str()), ("/kept", "Ierakstītais gaida saglabāšanu"));
        let saved = b.submit(&kept, "/kept/save", &[]).await;
        assert_eq!((saved.path.as_str(), saved.text(".flash").as_str()), (path.as_str(), "Melnraksts saglabāts."));
        assert_eq!(saved.input_value("title").as_deref(), Some("Rakstīts, kamēr sesija beidzās"));
        let row = application::Entity::find_by_id(draft.id).one(&app.db).await.expect("q").expect("row");
        assert_eq!(row.title, "Rakstīts, kamēr sesija beidzās");
        assert_eq!(entities::entity::kept_form::Entity::find().count(&app.db).await.expect("count"), 0, "forgotten once sent on");
    }
);
