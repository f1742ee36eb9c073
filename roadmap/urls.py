from django.urls import path

from roadmap.views import boards, releases, requirements

app_name = "roadmap"

urlpatterns = [
    path("", requirements.requirement_list, name="requirements"),
    path("new/", requirements.requirement_new, name="requirement_new"),
    path("similar/", requirements.requirement_similar, name="similar"),
    path("requirements/<int:pk>/", requirements.requirement_detail, name="requirement"),
    path("requirements/<int:pk>/back/", requirements.requirement_back, name="back"),
    path(
        "requirements/<int:pk>/assess/start/",
        requirements.requirement_assess_start,
        name="assess_start",
    ),
    path("requirements/<int:pk>/assess/", requirements.requirement_assess, name="assess"),
    path("requirements/<int:pk>/merge/", requirements.requirement_merge, name="merge"),
    path("requirements/<int:pk>/prototype/", requirements.requirement_prototype, name="prototype"),
    path("requirements/<int:pk>/verdict/", requirements.requirement_verdict, name="verdict"),
    path("requirements/<int:pk>/develop/", releases.requirement_develop, name="develop"),
    path("boards/", boards.board_list, name="boards"),
    path("boards/settings/", boards.board_settings, name="board_settings"),
    path("boards/<int:pk>/", boards.board_detail, name="board"),
    path("boards/<int:pk>/decide/", boards.board_decide, name="board_decide"),
    path("boards/<int:pk>/minutes/", boards.board_minutes, name="board_minutes"),
    path("boards/<int:pk>/print/", boards.board_minutes_print, name="board_print"),
    path("releases/", releases.roadmap_page, name="roadmap"),
    path("releases/new/", releases.release_create, name="release_create"),
    path("releases/<int:pk>/ship/", releases.release_ship, name="release_ship"),
]
