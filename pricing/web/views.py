from django.http import HttpResponse


def quote_list(request):
    return HttpResponse("")
