//! Backend-level checks: migration parity between SQLite and PostgreSQL.

use kontrol::store::Store;

use crate::helpers::TestDb;

/// Both migration folders must define the same tables and columns. Runs when a PostgreSQL
/// URL is configured (CI always sets one); on SQLite alone it checks that folder's tables.
#[tokio::test]
async fn migrations_define_the_same_schema_on_both_backends() {
    let sqlite_path = std::env::temp_dir().join(format!("kontrol-parity-{}.db", uuid::Uuid::new_v4().simple()));
    let sqlite = Store::connect(&format!("sqlite://{}?mode=rwc", sqlite_path.display()))
        .await
        .unwrap();
    let lite = sqlite.schema_columns().await.unwrap();
    sqlite.close().await;
    let _ = std::fs::remove_file(&sqlite_path);
    assert!(lite.iter().any(|(t, c)| t == "users" && c == "email"), "{lite:?}");

    if std::env::var("KONTROL_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        let db = TestDb::new().await;
        let pg = Store::connect(&db.url).await.unwrap();
        let pg_cols = pg.schema_columns().await.unwrap();
        pg.close().await;
        assert_eq!(lite, pg_cols, "SQLite and PostgreSQL schemas differ");
    }
}

#[tokio::test]
async fn migrations_folders_have_the_same_files() {
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    let root = env!("CARGO_MANIFEST_DIR");
    assert_eq!(
        names(&format!("{root}/migrations/sqlite")),
        names(&format!("{root}/migrations/postgres"))
    );
}
