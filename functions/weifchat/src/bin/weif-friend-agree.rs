//! `POST /friend/agree`: accept a friend request (seed 003 #12).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::friends::agree)).await
}
