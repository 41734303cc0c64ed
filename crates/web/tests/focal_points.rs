//! An agency's focal points edited on its page by its administrators (issue 21, point 2), on
//! every backend: only they see and change them, every showing is logged with its purpose and
//! the legal basis in force, a bad line changes nothing, and the next reminder digest goes to
//! the new address, not the old one.

mod common;

use common::{apps, location};

const LAW: &str = "91/2025/QH15, Điều 19 khoản 1 điểm c";

async fn reads(app: &common::TestApp) -> Vec<dongbo_store::personal_data::LoggedRead> {
    dongbo_store::personal_data::reads_of(&app.db, "agency_contacts:BVHTTDL")
        .await
        .unwrap()
}

#[tokio::test]
async fn an_agencys_administrators_keep_its_focal_points_and_the_next_digest_follows() {
    let smtp = dongbo_testkit::smtp::TestSmtp::get();
    for app in apps().await {
        let backend = app.backend.clone();
        app.user("vh.admin", "admin", "BVHTTDL", false).await;
        app.user("vh.xem", "viewer", "BVHTTDL", false).await;
        app.user("ng.admin", "admin", "BNG", false).await;
        let old = dongbo_testkit::smtp::TestSmtp::unique_address("cu");
        dongbo_store::notifications::set_contact(&app.db, "BVHTTDL", &old)
            .await
            .unwrap();

        // Anonymous visitors, a viewer and another ministry's administrator see no one, and
        // nothing is logged as read.
        let anonymous = app.page("/agencies/BVHTTDL").await;
        assert!(
            !anonymous.contains("focal-points") && !anonymous.contains(&old),
            "{backend}"
        );
        for who in ["vh.xem", "ng.admin"] {
            let page = app.logged_in(who).await.text("/agencies/BVHTTDL").await;
            assert!(!page.contains(&old), "{who} on {backend}");
        }
        assert!(reads(&app).await.is_empty(), "{backend}");

        // The agency's administrator sees them, with the purpose and the basis; logged.
        let mut admin = app.logged_in("vh.admin").await;
        let page = admin.text("/agencies/BVHTTDL").await;
        assert!(page.contains(&old), "{backend}");
        assert!(page.contains(LAW), "the legal basis is shown: {backend}");
        let logged = reads(&app).await;
        assert_eq!(logged.len(), 1, "{backend}");
        assert_eq!(
            (
                logged[0].reader.as_str(),
                logged[0].purpose.as_str(),
                logged[0].legal_basis.as_str()
            ),
            ("vh.admin", "reminders", LAW)
        );

        // Refused: others may not change them; a line without an address changes nothing.
        let mut others = vec![
            ("vh.xem", app.logged_in("vh.xem").await),
            ("ng.admin", app.logged_in("ng.admin").await),
        ];
        // Each posting reads the page's token first (a GET that is no one's personal data).
        for (_, other) in &mut others {
            other.text("/my").await;
        }
        admin.text("/my").await;
        let before = app.fingerprint().await;
        for (who, other) in &mut others {
            let refused = other
                .post(
                    "/agencies/BVHTTDL/focal-points",
                    &[("focal_points", "x@y.vn")],
                )
                .await;
            assert_eq!(refused.status(), 403, "{who} on {backend}");
        }
        let new = dongbo_testkit::smtp::TestSmtp::unique_address("moi");
        let bad = format!("Nguyễn Văn An <{new}>\nTrần Thị Bình (chưa có thư)");
        let refused = admin
            .post("/agencies/BVHTTDL/focal-points", &[("focal_points", &bad)])
            .await;
        assert_eq!(refused.status(), 422, "{backend}");
        let page = refused.text().await.unwrap();
        assert!(page.contains("Dòng 2"), "{backend}");
        assert!(
            page.contains("Trần Thị Bình (chưa có thư)"),
            "what was typed is kept"
        );
        // Only the log of reads grew: showing the refused form again showed the focal points.
        let changed = before.changed(&app.fingerprint().await);
        assert_eq!(changed, vec!["personal_data_reads".to_owned()], "{backend}");

        // Saved: a name with a comma stays whole, the old address is gone, audited.
        let line = format!("Nguyễn Văn An, Phó Chánh Văn phòng <{new}>");
        let saved = admin
            .post("/agencies/BVHTTDL/focal-points", &[("focal_points", &line)])
            .await;
        assert_eq!(saved.status(), 303, "{backend}");
        assert!(
            location(&saved).starts_with("/agencies/BVHTTDL"),
            "{backend}"
        );
        let page = admin.text("/agencies/BVHTTDL").await;
        assert!(
            page.contains("Nguyễn Văn An, Phó Chánh Văn phòng — "),
            "{backend}"
        );
        assert!(!page.contains(&old), "{backend}");
        let audited = dongbo_store::audit::list(
            &app.db,
            &dongbo_store::AuditFilter {
                action: Some("agency.focal_points".to_owned()),
                ..Default::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
        assert_eq!(audited.len(), 1, "{backend}");
        assert_eq!(audited[0].actor, "vh.admin");

        // The next digest of the agency's overdue tasks (2.1 was due 31/12/2024) goes to the
        // new address only.
        let Some(smtp) = smtp.as_ref() else { continue };
        let config = dongbo_remind::RemindConfig {
            smtp: Some(dongbo_remind::SmtpConfig::new(
                smtp.host.clone(),
                smtp.port,
                "dongbo@localhost",
            )),
            ..Default::default()
        };
        dongbo_remind::Runner::new(app.db.clone(), config)
            .with_done_source(dongbo_remind::AcceptedReports)
            .drain()
            .await
            .unwrap();
        assert_eq!(
            smtp.messages_to(&new).len(),
            1,
            "the new focal point: {backend}"
        );
        assert!(
            smtp.messages_to(&old).is_empty(),
            "not the old address: {backend}"
        );
    }
}
