//! `GET /del/group`: the owner dissolves a group (seed 003 #24).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::groups::dissolve)).await
}
