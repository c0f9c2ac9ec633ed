//! The store functions behind the operator's command line (`admin nobase …`): what they create,
//! change and refuse, against the real table.

use e2e::{spawn_app, unique};
use nobase::{
    AccountRange, App, AppChange, AppStatus, Board, Date, Developer, DeveloperChange, DeveloperStatus, NobaseError,
    PostStatus, UserStatus, signature,
};
use shared::AppError;

use e2e::nobase::World;

fn is_not_found(e: &NobaseError) -> bool {
    matches!(e, NobaseError::App(AppError::NotFound(_)))
}

fn is_conflict(e: &NobaseError) -> bool {
    matches!(e, NobaseError::App(AppError::Conflict(_)))
}

fn developer(id: &str) -> Developer {
    Developer {
        developer_id: id.to_owned(),
        name: "d".into(),
        status: DeveloperStatus::Normal,
        vip_until: Date::parse("2030-01-01").unwrap(),
        create_time: 1,
    }
}

fn app_of(appid: &str, developer_id: &str) -> App {
    App {
        appid: appid.to_owned(),
        developer_id: developer_id.to_owned(),
        name: "a".into(),
        status: AppStatus::Normal,
        token_mode: false,
        accounts: AccountRange::DEFAULT,
        post_review: false,
        signature_digest: signature::digest("0123456789abcdef"),
        create_time: 1,
    }
}

#[tokio::test]
async fn developers_are_created_once_and_changed_field_by_field() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let store = world.store();
    let id = unique("dev_");
    store.create_developer(&developer(&id)).await.unwrap();
    assert!(is_conflict(&store.create_developer(&developer(&id)).await.unwrap_err()));
    let changed = store
        .update_developer(
            &id,
            DeveloperChange {
                status: Some(DeveloperStatus::Abnormal),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.status, changed.vip_until.to_string().as_str()),
        (DeveloperStatus::Abnormal, "2030-01-01")
    );
    assert_eq!(store.developer(&id).await.unwrap(), Some(changed));
    let missing = store
        .update_developer(&unique("dev_"), DeveloperChange::default())
        .await;
    assert!(is_not_found(&missing.unwrap_err()));
    let ghost = unique("dev_");
    let missing = store
        .update_developer(
            &ghost,
            DeveloperChange {
                name: Some("x".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(is_not_found(&missing.unwrap_err()));
    assert!(
        store.developer(&ghost).await.unwrap().is_none(),
        "an update creates nothing"
    );
}

#[tokio::test]
async fn apps_need_an_existing_developer_and_keep_their_configuration_usable() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let store = world.store();
    let appid = unique("app_");
    let err = store.create_app(&app_of(&appid, &unique("dev_"))).await.unwrap_err();
    assert!(is_not_found(&err));
    assert!(store.app(&appid).await.unwrap().is_none(), "nothing written");
    store.create_app(&app_of(&appid, &world.developer_id)).await.unwrap();
    assert!(is_conflict(
        &store
            .create_app(&app_of(&appid, &world.developer_id))
            .await
            .unwrap_err()
    ));

    let new_signature = signature::generate();
    let changed = store
        .update_app(
            &appid,
            AppChange {
                status: Some(AppStatus::Review),
                token_mode: Some(true),
                accounts: Some(AccountRange::new(2, 9).unwrap()),
                post_review: Some(true),
                signature_digest: Some(signature::digest(&new_signature)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed, store.app(&appid).await.unwrap().unwrap());
    assert_eq!(
        (changed.status, changed.token_mode, changed.post_review),
        (AppStatus::Review, true, true)
    );
    assert_eq!(changed.accounts, AccountRange::new(2, 9).unwrap());
    assert!(signature::matches(&new_signature, &changed.signature_digest));

    let err = store
        .update_app(
            &appid,
            AppChange {
                developer_id: Some(unique("dev_")),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(is_not_found(&err), "a new developer must exist");
    assert_eq!(
        store.app(&appid).await.unwrap().unwrap().developer_id,
        world.developer_id
    );
    let err = store
        .update_app(&unique("app_"), AppChange::default())
        .await
        .unwrap_err();
    assert!(is_not_found(&err));
}

#[tokio::test]
async fn boards_belong_to_an_existing_app_and_are_listed() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let store = world.store();
    let board = |appid: &str, uid: &str| Board {
        appid: appid.to_owned(),
        uid: uid.to_owned(),
        name: "n".into(),
        create_time: 1,
    };
    let ghost_app = unique("app_");
    assert!(is_not_found(
        &store.create_board(&board(&ghost_app, "b1")).await.unwrap_err()
    ));
    assert!(store.boards(&ghost_app).await.unwrap().is_empty());
    store.create_board(&board(&world.appid, "b2")).await.unwrap();
    assert!(is_conflict(
        &store.create_board(&board(&world.appid, "b2")).await.unwrap_err()
    ));
    let uids: Vec<String> = store
        .boards(&world.appid)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.uid)
        .collect();
    let mut expected = vec![world.board.clone(), "b2".to_owned()];
    expected.sort();
    assert_eq!(uids, expected);
}

#[tokio::test]
async fn post_and_user_statuses_change_only_what_exists() {
    let app = spawn_app().await;
    let world = World::new(&app).await;
    let store = world.store();
    let post = store
        .set_post_status(&world.appid, &world.post, PostStatus::Review)
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Review);
    assert_eq!(store.post(&world.appid, &world.post).await.unwrap(), Some(post));
    let ghost = unique("p_");
    assert!(is_not_found(
        &store
            .set_post_status(&world.appid, &ghost, PostStatus::Normal)
            .await
            .unwrap_err()
    ));
    assert!(store.post(&world.appid, &ghost).await.unwrap().is_none());

    let member = world.member(&app).await;
    let user = store
        .set_user_status(&world.appid, &member.account, UserStatus::Abnormal)
        .await
        .unwrap();
    assert_eq!(
        (user.status, user.user_id.as_str()),
        (UserStatus::Abnormal, member.user_id.as_str())
    );
    let err = store
        .set_user_status(&world.appid, "nobody", UserStatus::Normal)
        .await
        .unwrap_err();
    assert!(is_not_found(&err));
}
