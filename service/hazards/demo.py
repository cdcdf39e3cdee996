"""Demo data for the hazard loop: hazard points and a chemical card at the first demo
enterprise, and hazards over the last weeks in every state, so the register, the
dashboards and the trend have something to show on a first `make run`."""

from __future__ import annotations

import datetime as dt
import uuid

from .tables import ChemicalCard, Hazard, HazardEvent, HazardPoint

# (name, location, danger level, accident types, cycle in days)
POINTS = [
    ("冲压生产线", "二车间冲压工段", "orange", "机械伤害、物体打击", 7),
    ("液氨储罐区", "厂区东北角储罐区", "red", "中毒和窒息、火灾、容器爆炸", 1),
    ("10 kV配电房", "综合楼一层配电房", "yellow", "触电、火灾", 30),
]
# (days ago found, grade, state, place, description)
HAZARDS = [
    (40, "general", "closed", "三号仓库东侧叉车通道", "叉车通道堆放物料，通道宽度不足"),
    (33, "larger", "closed", "二车间冲压工段", "冲床光电保护被短接"),
    (26, "general", "closed", "综合楼一层配电房", "配电箱门损坏，箱前堆放杂物"),
    (19, "general", "submitted", "机加工车间", "砂轮机防护罩缺失"),
    (12, "larger", "rectifying", "二楼平台", "平台临边防护栏杆缺损"),
    (5, "general", "reported", "喷漆房", "喷漆房灭火器压力不足"),
    (3, "major", "reported", "厂区东北角储罐区", "液氨储罐区气体检测报警仪失效"),
]


async def seed_hazard_demo(enterprise_ids: list[int], supervisor_id: int, now: dt.datetime) -> str:
    first = enterprise_ids[0]
    await HazardPoint.insert(
        *[
            HazardPoint(
                enterprise=first,
                name=name,
                location=location,
                danger_level=level,
                accident_types=accidents,
                protective_measures="持证上岗，佩戴劳动防护用品，严格执行操作规程",
                monitoring="班组每班巡查，车间每周检查，异常立即报告",
                emergency_plan="立即停机（停止作业）、撤离人员、报告值班领导，按专项应急预案处置",
                responsible="张建国",
                responsible_phone="13800000000",
                inspection_cycle_days=cycle,
                created_at=now,
                updated_at=now,
            )
            for name, location, level, accidents, cycle in POINTS
        ]
    )
    await ChemicalCard.insert(
        ChemicalCard(
            enterprise=first,
            name_zh="液氨",
            name_en="Ammonia, anhydrous",
            cas="7664-41-7",
            properties="无色、有强烈刺激性气味的气体，易溶于水；与空气混合能形成爆炸性混合物",
            health_hazards="对眼、呼吸道和皮肤有强烈刺激和腐蚀作用；高浓度可致肺水肿、窒息",
            exposure_limits="PC-TWA 20 mg/m³；PC-STEL 30 mg/m³",
            protection="佩戴过滤式防毒面具（全面罩）、化学安全防护眼镜，穿防静电工作服，戴橡胶手套",
            first_aid="吸入：迅速脱离现场至空气新鲜处，保持呼吸道通畅；皮肤或眼睛接触：立即用大量流动清水冲洗至少15分钟，就医",
            emergency_handling="迅速撤离泄漏污染区人员至上风处，切断泄漏源，喷雾状水稀释；严禁火源",
            emergency_phones="急救120　火警119　企业应急电话 0000-0000000",
            location="厂区东北角储罐区",
            created_at=now,
            updated_at=now,
        )
    )
    for n, (days, grade, state, place, description) in enumerate(HAZARDS):
        found = now - dt.timedelta(days=days)
        enterprise = enterprise_ids[n % min(3, len(enterprise_ids))]
        rows = await Hazard.insert(
            Hazard(
                key=uuid.uuid4(),
                enterprise=enterprise,
                source="manual",
                location=place,
                description=description,
                photos="[]",
                grade=grade,
                state=state,
                found_by=supervisor_id,
                found_at=found,
                responsible="" if state == "reported" else "张建国",
                deadline=(found + dt.timedelta(days=15)).date(),
                measures="" if state == "reported" else "立即整改，整改前设置警示标志",
                rectification="已整改完毕" if state in ("submitted", "closed") else "",
                rectified_at=found + dt.timedelta(days=6)
                if state in ("submitted", "closed")
                else None,
                closed_by=supervisor_id if state == "closed" else None,
                closed_at=found + dt.timedelta(days=8) if state == "closed" else None,
                updated_at=found,
            )
        ).returning(Hazard.id)
        await HazardEvent.insert(
            HazardEvent(
                hazard=rows[0]["id"],
                action="reported",
                from_state="",
                to_state="reported",
                actor=supervisor_id,
                at=found,
                detail="{}",
            )
        )
    return f"hazard loop: {len(POINTS)} hazard points, 1 chemical card, {len(HAZARDS)} hazards"
