//! The server over a `dongbo gen` dataset (small scale), on each backend: the generated
//! programs, their dashboards, completeness and indicators, and a province's page are served.

mod common;

use dongbo_domain::{Directory, DocumentKind};
use dongbo_gen::{Options, Quiet, Scale};
use dongbo_store::programs;

#[tokio::test]
async fn the_pages_of_a_generated_dataset_are_served() {
    for app in common::apps().await {
        let options = Options {
            scale: Scale::Small,
            seed: 11,
            force: false,
            library_items: None,
        };
        // Read (and kept) before the data is generated: the lists below must not stay so.
        app.page("/?plans=true").await;
        app.json("/api/v1/programs?plans=true").await;
        dongbo_gen::generate(&app.db, &Directory::bundled(), &options, &Quiet)
            .await
            .unwrap_or_else(|e| panic!("generating on {}: {e}", app.backend));
        let generated: Vec<_> = programs::list(&app.db)
            .await
            .expect("list programs")
            .into_iter()
            .filter(|p| p.number.as_deref() != Some("47/NQ-CP"))
            .collect();
        let national = generated
            .iter()
            .find(|p| p.kind != DocumentKind::Plan)
            .expect("a generated national program");
        let plan = generated
            .iter()
            .find(|p| p.kind == DocumentKind::Plan)
            .expect("a generated plan");

        let list = app.page("/").await;
        let number = national.number.as_deref().expect("a number");
        assert!(
            list.contains(number),
            "on {}: {number} is not listed",
            app.backend
        );
        // The list shows the action programs; agencies' plans on asking.
        let plan_link = format!("href=\"/programs/{}\"", plan.id);
        assert!(!list.contains(&plan_link), "on {}", app.backend);
        assert!(list.contains("href=\"/?plans=true\""), "on {}", app.backend);
        let all = app.page("/?plans=true").await;
        assert!(all.contains(&plan_link), "on {}", app.backend);
        assert!(all.contains(number), "on {}", app.backend);
        let ids = |list: serde_json::Value| -> Vec<i64> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect()
        };
        let listed = ids(app.json("/api/v1/programs").await);
        assert!(listed.contains(&national.id) && !listed.contains(&plan.id));
        let listed = ids(app.json("/api/v1/programs?plans=true").await);
        assert!(listed.contains(&national.id) && listed.contains(&plan.id));
        assert_eq!(
            listed.len(),
            generated.len() + 1,
            "every program, 47/NQ-CP too"
        );
        app.page(&format!("/programs/{}", national.id)).await;
        app.page(&format!("/programs/{}/indicators", national.id))
            .await;
        // Dashboards and completeness are for signed-in users.
        app.user("theo.doi", "viewer", "CP", false).await;
        let (mut browser, _) = app.session("theo.doi").await;
        for path in [
            format!("/programs/{}/dashboard", national.id),
            format!("/programs/{}/completeness", national.id),
            format!("/programs/{}/dashboard", plan.id),
        ] {
            let page = browser.text(&path).await;
            assert!(
                !page.contains("<h1>Đăng nhập</h1>"),
                "on {}: {path} asked to sign in",
                app.backend
            );
        }
        let dashboard = browser
            .text(&format!("/programs/{}/dashboard", national.id))
            .await;
        assert!(
            dashboard.contains(number),
            "on {}: the dashboard does not name its program {number}",
            app.backend
        );
    }
}
