//! Every role lands on its own home page; organisation pages are scoped by the tree.

use entities::domain::Role;
use pumpurs_tests::{both_backends, seed};

both_backends!(
    async fn each_role_reaches_its_home_page(app) {
        let w = seed::world(&app.db).await;
        let cases = [
            (Role::Admin, w.agency.id, "Administratora sākumlapa"),
            (Role::StateReviewer, w.agency.id, "Valsts aģentūras sākumlapa"),
            (Role::Coordinator, w.muni_a.id, "Koordinatora sākumlapa"),
            (Role::PanelMember, w.muni_a.id, "Komisijas locekļa sākumlapa"),
            (Role::Director, w.school_a.id, "Direktora sākumlapa"),
            (Role::SupportStaff, w.school_a.id, "Atbalsta personāla sākumlapa"),
            (Role::Accountant, w.school_a.id, "Grāmatveža sākumlapa"),
            (Role::NgoMember, w.ngo.id, "Biedrības sākumlapa"),
        ];
        for (role, org, title) in cases {
            let email = format!("{}@example.lv", role.as_str().replace('_', "."));
            seed::user(&app.db, &email, role, org).await;
            let b = app.browser();
            let home = b.login(&email, seed::PASSWORD).await;
            assert_eq!((home.status, home.h1()), (200, title.to_owned()), "{role:?}");
            assert!(home.path.starts_with("/home/"), "{role:?}: {}", home.path);
            let nav = home.texts("header nav a");
            assert!(nav.iter().any(|l| l.contains("Orga")) == (role == Role::Admin), "{role:?}: {nav:?}");
        }
    }
);

both_backends!(
    async fn a_coordinator_sees_only_their_own_municipality(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "coord.a@example.lv", Role::Coordinator, w.muni_a.id).await;
        seed::user(&app.db, "coord.b@example.lv", Role::Coordinator, w.muni_b.id).await;
        let b = app.browser();
        b.login("coord.a@example.lv", seed::PASSWORD).await;
        let own = b.get(&format!("/orgs/{}", w.muni_a.id)).await;
        assert_eq!((own.status, own.h1()), (200, "Ogres novads".to_owned()));
        assert!(own.contains("coord.a@example.lv") && own.contains("Ogres 1. vidusskola"));
        assert_eq!(own.attrs("#role option", "value"), vec!["panel_member", "accountant"], "a coordinator invites panel members and the accountants who pay its grants");
        assert_eq!(b.get(&format!("/orgs/{}", w.school_a.id)).await.status, 200);

        for id in [w.muni_b.id, w.school_b.id, w.agency.id, w.vocational.id, w.ngo.id, 999_999] {
            let page = b.get(&format!("/orgs/{id}")).await;
            assert_eq!((page.status, page.h1()), (404, "Lapa nav atrasta".to_owned()), "org {id}");
            assert!(!page.contains("Cēsu"), "nothing of the other municipality leaks");
        }
        let token = own.csrf();
        let invite = [("_csrf", token.as_str()), ("name", "X"), ("email", "x@example.lv"), ("role", "panel_member")];
        assert_eq!(b.post(&format!("/orgs/{}/invitations", w.muni_b.id), &invite).await.status, 404);
        assert!(!own.has_form(&format!("/orgs/{}", w.muni_a.id)), "no rename form for a coordinator");
        let rename = b.post(&format!("/orgs/{}", w.muni_a.id), &[("_csrf", &token), ("name", "Renamed")]).await;
        assert_eq!(rename.status, 404, "only an admin renames");
        assert_eq!(b.get("/admin/orgs").await.status, 404);
        assert_eq!(b.get(&format!("/home/{}", 999)).await.status, 404);
    }
);

both_backends!(
    async fn an_admin_creates_municipalities_and_schools(app) {
        let w = seed::world(&app.db).await;
        seed::user(&app.db, "admin@example.lv", Role::Admin, w.agency.id).await;
        let b = app.browser();
        b.login("admin@example.lv", seed::PASSWORD).await;
        let missing = b.fill("/admin/orgs", "/admin/orgs", &[("kind", "municipality"), ("name", " "), ("reg_no", ""), ("parent_id", "")]).await;
        assert_eq!((missing.status, missing.field_error("name")), (422, "Šis lauks ir obligāts.".to_owned()));
        let created = b.fill("/admin/orgs", "/admin/orgs", &[("kind", "municipality"), ("name", "Siguldas novads"), ("reg_no", ""), ("parent_id", "")]).await;
        assert_eq!((created.h1(), created.text(".flash")), ("Siguldas novads".to_owned(), "Organizācija izveidota.".to_owned()));
        let parent = w.muni_b.id.to_string();
        let school = b.fill("/admin/orgs", "/admin/orgs", &[("kind", "school"), ("name", "Cēsu ģimnāzija"), ("reg_no", ""), ("parent_id", &parent)]).await;
        assert!(school.contains("Cēsu novads"), "the school hangs under its municipality");
        let list = b.get("/admin/orgs?kind=school").await;
        assert_eq!(list.texts("tbody tr").len(), 4);
        assert!(list.texts("tbody td:nth-child(2)").contains(&"Valsts profesionālā izglītības iestāde".to_owned()));
    }
);
