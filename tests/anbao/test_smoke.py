def test_world_builds(world, api):
    response = api.get(f"/units/{world.unit_a.id}", as_=world.coordinator_a)
    assert response.status_code == 200
    assert response.json["name"] == "天河实验学校"
