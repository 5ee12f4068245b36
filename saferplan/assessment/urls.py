from django.urls import path

from . import views

app_name = "assessment"

# Pages under /p/<partnership slug>/assessment/. A period in a path is YYYY-MM:YYYY-MM (inclusive).
urlpatterns = [
    path("", views.AssessmentIndex.as_view(), name="index"),
    path("data/", views.ImportsView.as_view(), name="imports"),
    path("data/police/", views.PoliceUpload.as_view(), name="import-police"),
    path("data/boundaries/", views.BoundaryUpload.as_view(), name="boundaries"),
    path("data/police/server/", views.ServerImport.as_view(), name="import-server"),
    path("data/partner/", views.PartnerUpload.as_view(), name="import-partner"),
    path("data/partner/<int:pk>/columns/", views.PartnerMapping.as_view(), name="partner-mapping"),
    path("data/imports/<int:pk>/", views.ImportDetail.as_view(), name="import"),
    path("data/imports/<int:pk>/confirm/", views.ImportConfirm.as_view(), name="import-confirm"),
    path("data/imports/<int:pk>/retry/", views.ImportRetry.as_view(), name="import-retry"),
    path("data/imports/<int:pk>/status.json", views.ImportStatus.as_view(), name="import-status"),
    path("findings/", views.FindingsList.as_view(), name="findings"),
    path("findings/draft/", views.DraftFindings.as_view(), name="findings-draft"),
    path("findings/<int:pk>/", views.FindingDetail.as_view(), name="finding"),
    path("findings/<int:pk>/review/", views.ReviewFinding.as_view(), name="finding-review"),
    path("harm-weights/", views.HarmWeights.as_view(), name="harm-weights"),
    path("<str:period>/charts/<slug:key>.svg", views.ChartSvg.as_view(), name="chart"),
    path("<str:period>/tables/<slug:key>.csv", views.TableCsv.as_view(), name="table-csv"),
    path("<str:period>/tables.zip", views.TablesZip.as_view(), name="tables-zip"),
    path("<str:period>/report.<str:fmt>", views.ReportDownload.as_view(), name="report"),
    path("<str:period>/map/<str:level>.geojson", views.MapData.as_view(), name="map-data"),
]
