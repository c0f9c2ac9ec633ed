//! `POST /update/groupInfo`: the owner edits a group (seed 003 #22).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::update)).await
}
