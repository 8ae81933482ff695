//! The worker delivers what the outbox holds; in development mail becomes `.eml` files that the
//! development mailbox lists.

use entities::entity::outbox;
use pumpurs_tests::both_backends;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

both_backends!(
    async fn a_confirmation_email_is_written_once_and_its_link_confirms_the_account(app) {
        let b = app.browser();
        let fields = [
            ("org_name", "Biedrība „Saule”"),
            ("name", "Anna Kalniņa"),
            ("email", "anna@example.lv"),
            ("password", "ilgaparole-2026"),
            ("password_confirm", "ilgaparole-2026"),
            ("lang", "en"),
        ];
        b.fill("/register", "/register", &fields).await;
        let cfg = app.worker_config();
        app.work(&cfg).await;
        let pending = outbox::Entity::find().filter(outbox::Column::RelayedAt.is_null()).count(&app.db).await;
        assert_eq!(pending.expect("count"), 0);
        // The row relayed again, as after a crash between pushing its job and marking it: the
        // queue keeps one job per row, and the message is not written twice.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::RelayedAt, sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
            .exec(&app.db)
            .await
            .expect("unrelay");
        app.work(&cfg).await;
        let email = worker::queue_depths(&app.db).await.expect("depths").into_iter().find(|d| d.queue == worker::jobs::EMAIL_QUEUE).expect("queue");
        assert_eq!(email.done, 1, "one job for the row, relayed twice");

        let mails = app.mails();
        assert_eq!(mails.len(), 1);
        let eml = &mails[0];
        assert!(eml.contains("To: anna@example.lv"), "{eml}");
        assert!(eml.contains("Subject: Confirm your email address for Pumpurs"), "in the language chosen: {eml}");
        assert!(eml.contains("Content-Type: text/plain") && eml.contains("Content-Type: text/html"));
        assert!(eml.contains("Auto-Submitted: auto-generated"), "an automatic message, so no out-of-office answer: {eml}");
        let start = eml.find(&format!("{}/confirm/", app.base)).expect("link in the message");
        let link: String = eml[start + app.base.len()..].chars().take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"').collect();

        let mailbox = b.get("/dev/mail").await;
        assert_eq!(mailbox.texts("tbody td:first-child"), vec!["anna@example.lv".to_owned()]);
        let opened = b.get(&link).await;
        let confirmed = b.submit(&opened, &link, &[]).await;
        assert_eq!((confirmed.status, confirmed.h1()), (200, "E-pasts apstiprināts".to_owned()), "{link}");
        assert_eq!(b.login("anna@example.lv", "ilgaparole-2026").await.status, 200);
    }
);
