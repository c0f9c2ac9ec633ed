//! `POST /friend/add`: send a friend request (seed 003 #8).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::friends::add)).await
}
