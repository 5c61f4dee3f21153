def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_login_then_admin_home(client, auth, make_user, make_job):
    user = make_user("recruiter")
    make_job(title="Data Engineer")
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
