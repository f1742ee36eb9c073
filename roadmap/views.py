from django.http import HttpResponse


def requirement_list(request):
    return HttpResponse("")


def requirement_detail(request, pk):
    return HttpResponse("")
