# Dates and times as Korean public offices write them: 2026. 1. 30. and 14:05, not Django's
# 2026년 1월 30일 오후 2:05. The rule: 행정업무의 운영 및 혁신에 관한 규정 시행규칙 제2조
# (formerly 행정 효율과 협업 촉진에 관한 규정 시행규칙): 날짜는 연·월·일 글자를 생략하고
# 온점으로, 시각은 24시각제로 시·분 사이에 쌍점을 찍는다.
DATE_FORMAT = "Y. n. j."
SHORT_DATE_FORMAT = "Y. n. j."
DATETIME_FORMAT = "Y. n. j. H:i"
SHORT_DATETIME_FORMAT = "Y. n. j. H:i"
TIME_FORMAT = "H:i"
