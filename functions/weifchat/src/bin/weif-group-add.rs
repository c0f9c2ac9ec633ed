//! `POST /group/add`: ask to join a group (seed 003 #18).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::groups::join)).await
}
