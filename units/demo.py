"""Demo city: two districts of Guangzhou, a school with two campuses, a hospital, a bank, a
museum, their people and key parts, and one login per role."""
from units import creditcode
from units import service


def _person(actor, unit, name, role, campus=None, cert=None, phone=None, email=None):
    return service.create_person(actor, unit, {
        "name": name, "role": role, "campus": campus, "guard_certificate_no": cert,
        "phone": phone, "email": email})


def load(actor, context: dict) -> None:
    city = service.create_jurisdiction(actor, {"name": "广州市公安局", "code": "GZ"})
    tianhe = service.create_jurisdiction(actor, {"name": "天河区分局", "code": "GZ-TH",
                                                 "parent_id": city.id})
    yuexiu = service.create_jurisdiction(actor, {"name": "越秀区分局", "code": "GZ-YX",
                                                 "parent_id": city.id})
    shipai = service.create_jurisdiction(actor, {"name": "石牌派出所", "code": "GZ-TH-SP",
                                                 "parent_id": tianhe.id})
    service.create_jurisdiction(actor, {"name": "北京街派出所", "code": "GZ-YX-BJ",
                                        "parent_id": yuexiu.id})

    school = service.create_unit(actor, {
        "name": "广州市天河区第一实验学校", "credit_code": creditcode.make("12440106MB2C37710"),
        "category": "school", "jurisdiction_id": shipai.id, "address": "广州市天河区石牌东路 18 号",
        "headcount": 2300, "key_security_unit": True, "responsible_person": "陈校长",
        "campuses": [{"name": "东校区", "population": 1600, "boarding_students": 400},
                     {"name": "西校区", "population": 700, "boarding_students": 0}]})
    hospital = service.create_unit(actor, {
        "name": "广州市天河区人民医院", "credit_code": creditcode.make("12440106455350124"),
        "category": "hospital", "jurisdiction_id": tianhe.id, "address": "广州市天河区黄埔大道西 100 号",
        "headcount": 1500, "key_security_unit": True, "key_target": True,
        "responsible_person": "刘院长",
        "hospital": {"medical_staff": 900, "beds": 600, "daily_outpatients": 5000}})
    bank = service.create_unit(actor, {
        "name": "中国工商银行广州天河支行", "credit_code": creditcode.make("91440101890455873"),
        "category": "bank", "jurisdiction_id": shipai.id, "address": "广州市天河区天河路 208 号",
        "headcount": 180, "key_security_unit": True, "responsible_person": "王行长"})
    museum = service.create_unit(actor, {
        "name": "广州越秀历史博物馆", "credit_code": creditcode.make("12440104MB1D76543"),
        "category": "museum", "jurisdiction_id": yuexiu.id, "address": "广州市越秀区解放北路 5 号",
        "headcount": 260, "key_security_unit": True, "key_target": True,
        "responsible_person": "黄馆长"})

    _person(actor, school, "李卫国", "security_full_time", phone="13800000001",
            email="liweiguo@school.example.cn")
    for i, name in enumerate(["张建华", "王志强", "赵明"]):
        _person(actor, school, name, "security_full_time", phone=f"1380000001{i}")
    for name in ["孙丽", "周敏"]:
        _person(actor, school, name, "security_part_time")
    for i, name in enumerate(["吴刚", "郑勇", "冯军", "陈亮"]):
        _person(actor, school, name, "guard", campus="东校区", cert=f"粤保4401{i:06d}")
    for i, name in enumerate(["何平", "罗斌"]):
        _person(actor, school, name, "guard", campus="西校区", cert=f"粤保4402{i:06d}")
    teacher = _person(actor, school, "林晓红", "staff", campus="东校区",
                      email="linxiaohong@school.example.cn")
    _person(actor, school, "高峰", "guard", campus="西校区")

    for name in ["梁志", "谢军", "唐伟"]:
        _person(actor, hospital, name, "security_full_time")
    for i in range(20):
        _person(actor, hospital, f"保安员{i + 1:02d}", "guard", cert=f"粤保4403{i:06d}")
    for name in ["曾华", "彭涛"]:
        _person(actor, bank, name, "security_full_time")
    _person(actor, bank, "邓强", "guard", cert="粤保4404000001")
    for name in ["韩磊", "许诺", "曹阳"]:
        _person(actor, museum, name, "security_full_time")

    service.create_key_part(actor, school, {
        "name": "东校区正门", "kind": "出入口", "video_linked": True, "video_retention_days": 90,
        "barriers": "防冲撞桩、电动伸缩门", "patrol_per_day": 6})
    service.create_key_part(actor, school, {
        "name": "化学实验室危化品仓", "kind": "危险物品存放处", "video_linked": True,
        "video_retention_days": 30, "barriers": "双人双锁", "patrol_per_day": 2})
    service.create_key_part(actor, bank, {
        "name": "营业厅现金区", "kind": "现金业务区", "video_linked": True,
        "video_retention_days": 90, "barriers": "防弹玻璃、一键报警", "patrol_per_day": 12})

    context["units"] = {"school": school, "hospital": hospital, "bank": bank, "museum": museum}
    context["jurisdictions"] = {"city": city, "tianhe": tianhe, "yuexiu": yuexiu}
    context["logins"] = [
        ("admin", "admin", "", {"display_name": "系统管理员"}),
        ("police", "police", "", {"display_name": "天河分局 内保民警 赵警官",
                                  "jurisdiction_id": tianhe.id}),
        ("police_yx", "police", "", {"display_name": "越秀分局 内保民警 钱警官",
                                     "jurisdiction_id": yuexiu.id}),
        ("supervisor", "supervisor", "", {"display_name": "市教育局 安全处",
                                          "jurisdiction_id": city.id,
                                          "sectors": ["school"]}),
        ("coordinator", "coordinator", "", {"display_name": "李卫国（学校安全保卫负责人）",
                                            "unit_id": school.id,
                                            "email": "liweiguo@school.example.cn"}),
        ("staff", "staff", "", {"display_name": "林晓红", "unit_id": school.id,
                                "person_id": teacher.id}),
        ("coordinator_h", "coordinator", "", {"display_name": "梁志（医院保卫科）",
                                              "unit_id": hospital.id}),
    ]
