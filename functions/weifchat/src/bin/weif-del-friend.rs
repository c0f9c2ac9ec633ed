//! `GET /del/friend`: remove a friend on both sides (seed 003 #10).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::friends::delete)).await
}
