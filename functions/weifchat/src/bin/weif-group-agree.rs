//! `POST /group/agree`: the owner accepts a join request (seed 003 #26).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_with(&[shared::state::PUSH], shared::handler!(weifchat::groups::agree)).await
}
